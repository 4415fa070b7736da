// Paper 004 (Deep Learning from Scratch, ch. 4): losses, numerical differentiation, gradients,
// gradient descent, and the two-layer net trained by mini-batch SGD on MNIST, with the book's
// numbers beside ours.
//
//   dotnet fsi scripts/exp_twolayer.fsx [--quick] [--data DIR] [--out DIR] [--threads N] [--iterations N] [--no-peer] [--python PATH]
//
// --quick trains 300 steps on 5,000 training images (CI); the full run is the book's 10,000 steps on
// all 60,000, and also times the numpy peer (/work/shared/bench/numpy_twolayer.py or --peer FILE).
#load "Common.fsx"

open System
open System.Diagnostics
open InitLab.Data
open InitLab.Kernel
open InitLab.Kernel.Grad
open InitLab.Kernel.Nn
open InitLab.Kernel.Textbook
open InitLab.Reports
open InitLab.Studies
open InitLab.Training
open Common

let args = Args.parse fsi.CommandLineArgs
let quick = args.Flag "quick"
let clock = Stopwatch.StartNew()
let outDir = outputFolder args "twolayer"
let threads = args.Int("threads", 2)
let g (v: float) = v.ToString("G10")
let e (v: float) = v.ToString("0.########E+0")
let f4 (v: float) = v.ToString("F4")

// ---- 4.2 Losses: the chapter's two examples, single and mini-batch, one-hot and integer labels --------
let yTwo = [| 0.1; 0.05; 0.6; 0.0; 0.05; 0.1; 0.0; 0.1; 0.0; 0.0 |]
let ySeven = [| 0.1; 0.05; 0.1; 0.0; 0.05; 0.1; 0.0; 0.6; 0.0; 0.0 |]
let t = BookLosses.oneHot 10 2
let lossRows =
    [ for name, y, sseBook, ceBook in [ "y peaks at \"2\" (correct)", yTwo, "0.0975", "0.510"; "y peaks at \"7\" (wrong)", ySeven, "0.5975", "2.303" ] ->
        let tensorCe = (BookLosses.crossEntropyTensor (Tensor.OfArray y) (Tensor.OfArray t)).Item
        [| name; f4 (BookLosses.sumSquares y t); sseBook; f4 (BookLosses.crossEntropy y t); f4 (BookLosses.crossEntropyOfLabel y 2); f4 tensorCe; ceBook |] ]
let batchYs, batchLabels = [| yTwo; ySeven |], [| 2; 2 |]
let batchOneHot = BookLosses.crossEntropyBatch batchYs (batchLabels |> Array.map (BookLosses.oneHot 10))
let batchLabelsCe = BookLosses.crossEntropyBatchOfLabels batchYs batchLabels
let batchSse = BookLosses.sumSquaresBatch batchYs (batchLabels |> Array.map (BookLosses.oneHot 10))
printfn "losses: SSE %s / %s (book 0.0975 / 0.5975), CE %s / %s (book 0.510 / 2.303); batch CE one-hot %s = labels %s"
    (f4 (BookLosses.sumSquares yTwo t)) (f4 (BookLosses.sumSquares ySeven t)) (f4 (BookLosses.crossEntropy yTwo t)) (f4 (BookLosses.crossEntropy ySeven t)) (f4 batchOneHot) (f4 batchLabelsCe)

// ---- 4.3 Numerical differentiation -----------------------------------------------------------------
let function1 (x: float) = 0.01 * x * x + 0.1 * x
let h = NumericalGradient.DefaultStep
let diffRows =
    [ for x, book in [ 5.0, "0.1999999999990898"; 10.0, "0.2999999999986347" ] ->
        [| g x; g (NumericalGradient.forwardDifference function1 x h); g (NumericalGradient.centralDifference function1 x h); book; g (0.02 * x + 0.1) |] ]
let function2 (v: float[]) = v[0] * v[0] + v[1] * v[1]
let partial0 = NumericalGradient.centralDifference (fun x0 -> x0 * x0 + 4.0 * 4.0) 3.0 h
let partial1 = NumericalGradient.centralDifference (fun x1 -> 3.0 * 3.0 + x1 * x1) 4.0 h
let gradientRows =
    [ for p in [ [| 3.0; 4.0 |]; [| 0.0; 2.0 |]; [| 3.0; 0.0 |] ] ->
        let gr = NumericalGradient.ofVector function2 p h
        [| $"({g p[0]}, {g p[1]})"; $"({g gr[0]}, {g gr[1]})"; $"({g (2.0 * p[0])}, {g (2.0 * p[1])})" |] ]
// −∇f on the book's grid (Fig. 4-9), arrows scaled to fit the 0.25 spacing
let quiverPoints = [| for x in -2.0 .. 0.25 .. 2.5 do for y in -2.0 .. 0.25 .. 2.5 -> x, y |]
let quiverGrads = quiverPoints |> Array.map (fun (x, y) -> NumericalGradient.ofVector function2 [| x; y |] h)

// ---- 4.4 Gradient descent on x0² + x1² from (−3, 4), 100 steps -------------------------------------
let start = (-3.0, 4.0)
let bookEnds = [ 0.1, "(-6.11110793e-10, 8.14814391e-10)", "≈ 0: converged"; 10.0, "(-2.58983747e+13, -1.29524862e+12)", "diverged"; 1e-10, "(-2.99999994, 3.99999992)", "≈ start: barely moved" ]
let numericBowl = Surfaces.withNumericalGradient h Surfaces.bowl
let descent =
    [ for lr, book, meaning in bookEnds ->
        let exact = DescentPaths.gradientDescent Surfaces.bowl lr 100 start
        let numeric = DescentPaths.gradientDescent numericBowl lr 100 start
        lr, exact, numeric, DescentPaths.bowlClosedForm lr 100 start, book, meaning ]
let pt (x: float, y: float) = $"({e x}, {e y})"
let descentRows =
    [ for lr, exact, numeric, closed, book, meaning in descent ->
        [| g lr; pt (Array.last numeric); book; pt (Array.last exact); pt closed; meaning |] ]
for lr, _, numeric, closed, book, _ in descent do
    printfn "GD lr %s: ours %s (book %s), closed form %s" (g lr) (pt (Array.last numeric)) book (pt closed)

// ---- 4.5 TwoLayerNet on MNIST ----------------------------------------------------------------------
let digits = Data.mnistOrSynthetic (args.Option "data") [ "mnist" ]
let fullTrain, test = digits.Data.Train, digits.Data.Test
let dataNote =
    match Option.ofObj digits.Resolution.Root with
    | Some root -> $"MNIST from {root}"
    | None ->
        eprintfn "exp_twolayer: WARNING: no real MNIST found; running on SYNTHETIC digits. The accuracies below say nothing about the book."
        "SYNTHETIC digits (no MNIST found)"
let train = if quick then fullTrain.Subset([| 0 .. min 5000 fullTrain.Count - 1 |], fullTrain.Name + "[:5000]") else fullTrain
printfn "data: %O | %O (%.1f s)" train test clock.Elapsed.TotalSeconds

// The book's gradient check: float64 net, the first 3 training images, h = 1e-4.
let checkNet = Models.TwoLayerNet(784, 50, 10, gen = Generator(42), dtype = Float64)
let checkX = Tensor.OfArray(train.Subset([| 0; 1; 2 |]).ToFloats(PixelScale.Unit255) |> Array.map float, [| 3; 784 |])
let checkClock = Stopwatch.StartNew()
let gradReport = ModelGradCheck.numericalVsBackprop checkNet checkX train.Labels[0..2] h
let checkSeconds = checkClock.Elapsed.TotalSeconds
let bookGradCheck = Map [ "affine1.weight", "2.2232446644e-13"; "affine1.bias", "9.70418809871e-13"; "affine2.weight", "8.41139039497e-13"; "affine2.bias", "1.1945999745e-10" ]
printfn "gradient check (%.1f s):\n%O" checkSeconds gradReport

// Mini-batch SGD: batch 100, lr 0.1, 10,000 steps, accuracies every epoch (600 steps on 60,000 images).
let iterations = args.Int("iterations", if quick then 300 else 10_000)
let options = EpochTrainingOptions(Iterations = iterations, BatchSize = 100, DataSeed = 1, Threads = threads, Scale = PixelScale.Unit255)
let net = Models.Create("twolayer", Generator(1))
let result = EpochTraining.Run(net, "sgd lr=0.1", train, test, options)
let imagesPerSecond = result.ImagesPerSecond 100
let msPerStep = result.TrainSeconds / float result.Losses.Count * 1000.0
for r in result.Epochs do
    printfn "epoch %2d (step %5d): train acc %.4f, test acc %.4f" r.Epoch r.Iteration r.TrainAccuracy r.TestAccuracy
printfn "final train %.4f / test %.4f (book 0.947 / 0.9465); %.0f img/s, %.3f ms/step" result.Final.TrainAccuracy result.Final.TestAccuracy imagesPerSecond msPerStep

// The numpy peer, timed on this machine (full runs only: it takes ~10 s). The first Python that runs it
// wins: --python, then python3 on PATH, then the system's /usr/bin/python3 (which may have numpy when PATH's has not).
let runPeer (python: string) (path: string) =
    try
        let psi = ProcessStartInfo(python, $"\"{path}\"", RedirectStandardOutput = true, RedirectStandardError = true)
        use p = Process.Start psi
        let out = p.StandardOutput.ReadToEnd()
        let err = p.StandardError.ReadToEnd()
        p.WaitForExit()
        if p.ExitCode <> 0 then Error $"{python}: exit {p.ExitCode}: {err.Trim()}" else Ok(python, out.Trim())
    with ex -> Error $"{python}: {ex.Message}"
let peer =
    let path = args.String("peer", "/work/shared/bench/numpy_twolayer.py")
    if quick || args.Flag "no-peer" then None
    elif not (IO.File.Exists path) then eprintfn "exp_twolayer: peer %s not found; no numpy comparison" path; None
    else
        let pythons = [ yield! Option.toList (args.Option "python"); "python3"; "/usr/bin/python3" ] |> List.distinct
        let attempts = pythons |> List.map (fun py -> lazy (runPeer py path))
        match attempts |> List.tryPick (fun a -> match a.Value with Ok r -> Some r | Error _ -> None) with
        | Some(python, out) ->
            let m = Text.RegularExpressions.Regex.Match(out, @"([0-9.]+) img/s, ([0-9.]+) ms/iter")
            printfn "peer (%s): %s" python out
            if m.Success then Some($"{out} ({python})", float m.Groups[1].Value, float m.Groups[2].Value) else None
        | None ->
            for a in attempts do (match a.Value with Error msg -> eprintfn "exp_twolayer: numpy peer failed: %s" msg | Ok _ -> ())
            None

// ---- Report ----------------------------------------------------------------------------------------
let report = Report("Deep Learning from Scratch ch. 4: learning from data (paper 004)" + (if quick then " — quick run" else ""))
report.Paragraph(
    "The chapter's numbers recomputed with InitLab's Kernel: losses, numerical differentiation, gradients, gradient descent "
    + "and the two-layer net 784-50-10 (sigmoid, softmax, weights 0.01·N(0,1)) trained by mini-batch SGD. Book values beside ours.") |> ignore

report.Heading("4.2 Loss functions") |> ignore
report.Table([| "example (t = \"2\")"; "SSE ours"; "SSE book"; "CE one-hot"; "CE label"; "CE tensor"; "CE book" |], lossRows,
             "Sum of squares ½Σ(y−t)² and cross-entropy −Σ t·log(y + 1e-7); integer-label and Kernel-tensor forms agree with the one-hot one.") |> ignore
report.KeyValues("Mini-batch of both examples (labels 2, 2)",
                 [ "SSE (mean over samples)", f4 batchSse; "CE with one-hot targets", f4 batchOneHot; "CE with integer labels", f4 batchLabelsCe
                   "expected: mean of single-sample values", f4 ((BookLosses.crossEntropy yTwo t + BookLosses.crossEntropy ySeven t) / 2.0) ] |> pairs) |> ignore

report.Heading("4.3 Numerical differentiation (h = 1e-4)") |> ignore
report.Table([| "x"; "forward difference"; "central difference"; "book (central)"; "exact 0.02x + 0.1" |], diffRows,
             "f(x) = 0.01x² + 0.1x. The central difference's error is O(h²), the forward one's O(h).") |> ignore
report.KeyValues("Partial derivatives of x0² + x1² at (3, 4)",
                 [ "∂f/∂x0", $"{g partial0} (book 6.00000000000378, exact 6)"; "∂f/∂x1", $"{g partial1} (book 7.999999999999119, exact 8)" ] |> pairs) |> ignore
report.Table([| "point"; "numerical gradient"; "exact (2x0, 2x1)" |], gradientRows, "Book: [6. 8.], [0. 4.], [6. 0.]") |> ignore
report.Quiver("−∇f of x0² + x1² (Fig. 4-9)", Array.map fst quiverPoints, Array.map snd quiverPoints,
              quiverGrads |> Array.map (fun gr -> -gr[0]), quiverGrads |> Array.map (fun gr -> -gr[1]), scale = 0.04,
              caption = "Every arrow points to the minimum at the origin, longer farther away.", xLabel = "x0", yLabel = "x1") |> ignore

report.Heading("4.4 Gradient descent on x0² + x1² from (−3, 4), 100 steps") |> ignore
report.Table([| "lr"; "ours (numerical gradient, as the book)"; "book"; "ours (exact gradient)"; "closed form (1−2lr)¹⁰⁰·x₀"; "" |], descentRows,
             "With lr 10 the book's end point is where the numerical gradient vanishes: at |x| ≈ 1e13 adding h = 1e-4 no longer changes x in float64, so the diverging path freezes there; the exact gradient keeps growing like 19^k.") |> ignore
let xs, ys, z = Surfaces.grid { Surfaces.bowl with XRange = (-4.0, 4.0); YRange = (-4.5, 4.5) } 81 91
let inWindow (x: float, y: float) = abs x <= 4.0 && abs y <= 4.5
let pathSeries name (path: (float * float)[]) = Series(name, path |> Array.map fst, path |> Array.map snd)
report.ContourWithPaths("Gradient-descent paths over the contours of x0² + x1² (Fig. 4-10)", xs, ys, z,
                        [ for lr, exact, _, _, _, _ in descent ->
                            let visible = exact |> Array.takeWhile inWindow
                            pathSeries $"lr {g lr} ({visible.Length} of 101 points inside the window)" visible ],
                        "lr 0.1 runs straight in to the minimum; lr 10 leaves the window after its first step; lr 1e-10 stays on its start.", "x0", "x1") |> ignore

report.Heading("4.5 Two-layer net on MNIST") |> ignore
report.Paragraph(dataNote) |> ignore
report.Table([| "parameter"; "shape"; "mean |backprop − numerical|"; "book"; "max |diff|" |],
             [ for en in gradReport.Entries ->
                 [| en.Name; Shape.show en.Shape; e en.MeanAbsError; bookGradCheck.TryFind en.Name |> Option.defaultValue ""; e en.MaxAbsError |] ],
             $"float64 net, first 3 training images, h = 1e-4; {checkSeconds:F1} s for the numerical gradient of {checkNet.ParameterCount} parameters.") |> ignore
report.LineChart("Mini-batch loss (batch 100, lr 0.1)", "step", "cross-entropy loss", [ Series.OfValues("mini-batch loss", Seq.toArray result.Losses) ]) |> ignore
let epochX = result.Epochs |> Seq.map (fun r -> float r.Epoch) |> Seq.toArray
report.LineChart("Accuracy after every epoch (Fig. 4-12)", "epoch", "accuracy",
                 [ Series("train acc", epochX, result.Epochs |> Seq.map (fun r -> r.TrainAccuracy) |> Seq.toArray)
                   Series("test acc", epochX, result.Epochs |> Seq.map (fun r -> r.TestAccuracy) |> Seq.toArray) ],
                 (let gap = result.Final.TrainAccuracy - result.Final.TestAccuracy
                  if abs gap < 0.02 then $"Train and test accuracy rise together (final gap {gap:F4}): no over-fitting."
                  else $"Train accuracy ends {gap:F4} above test accuracy: the net starts to over-fit.")) |> ignore
report.Table([| "epoch"; "step"; "train loss"; "train acc"; "test loss"; "test acc" |],
             [ for r in result.Epochs -> [| string r.Epoch; string r.Iteration; f4 r.TrainLoss; f4 r.TrainAccuracy; f4 r.TestLoss; f4 r.TestAccuracy |] ]) |> ignore
report.Table([| "measure"; "ours"; "book" |],
             [ // the book evaluates when i % 600 = 0 for i < 10,000, so its last accuracies are those after step 9,600
               match result.Epochs |> Seq.tryFind (fun r -> r.Iteration = 9600) with
               | Some r -> yield [| "train / test accuracy after step 9,600 (the book's last evaluation)"; $"{f4 r.TrainAccuracy} / {f4 r.TestAccuracy}"; "0.947 / 0.9465" |]
               | None -> ()
               yield [| "final train accuracy"; f4 result.Final.TrainAccuracy; "0.947" |]
               yield [| "final test accuracy"; f4 result.Final.TestAccuracy; "0.9465" |]
               yield [| "steps"; string result.Losses.Count; "10000" |] ],
             (if quick then "QUICK run: 300 steps on 5,000 images; the full run reproduces the book's setting." else "The book's setting: 10,000 steps of batch 100 on 60,000 images.")) |> ignore
report.KeyValues("Speed",
                 [ yield "InitLab training", $"{imagesPerSecond:F0} img/s, {msPerStep:F3} ms/step ({result.TrainSeconds:F1} s for {result.Losses.Count} steps, {threads} threads)"
                   yield "evaluations", $"{result.EvaluationSeconds:F1} s for {result.Epochs.Count} passes over train + test"
                   match peer with
                   | Some(line, ips, ms) ->
                       yield "numpy peer (numpy_twolayer.py)", line
                       yield "InitLab / numpy throughput", $"{imagesPerSecond / ips:F2}×"
                   | None -> yield "numpy peer", (if quick then "not run in --quick" else "not available")
                   yield "total wall time", $"{clock.Elapsed.TotalSeconds:F1} s" ] |> pairs) |> ignore
report.KeyValues("Configuration",
                 [ "net", "flatten → affine 784→50 → sigmoid → affine 50→10 (softmax in the loss), weights 0.01·N(0,1), biases 0, seed 1"
                   "optimiser", "sgd lr=0.1 (constant)"; "batch", "100, seeded shuffle per epoch (the book samples with replacement)"
                   "iterations", string iterations; "epoch", $"max(train size / 100, 1) = {max (train.Count / 100) 1} steps"
                   "pixels", "v / 255"; "train", train.ToString(); "test", test.ToString(); "threads", string threads ] |> pairs) |> ignore
let reportPath = report.Save(IO.Path.Combine(outDir, "report.html"))
printfn "report: %s (%.1f s)" reportPath clock.Elapsed.TotalSeconds
