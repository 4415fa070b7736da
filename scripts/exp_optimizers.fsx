// Paper 002 (training a CIFAR-10 CNN, explained): gradient-descent paths of SGD, Momentum, AdaGrad,
// RMSProp and Adam on two-parameter surfaces (a bowl, the elongated bowl x²/20 + y², a tilted double
// well with a local and a global minimum); the same five optimisers training one small CNN on MNIST
// and on CIFAR-10; and over- / under-fitting read off train vs test loss of three MLP sizes.
//
//   dotnet fsi scripts/exp_optimizers.fsx [--quick] [--data DIR] [--out DIR] [--threads N] [--iterations N]
#load "Common.fsx"

open System
open System.Diagnostics
open InitLab.Data
open InitLab.Kernel
open InitLab.Kernel.Nn
open InitLab.Kernel.Optim
open InitLab.Kernel.Textbook
open InitLab.Reports
open InitLab.Studies
open Common

let args = Args.parse fsi.CommandLineArgs
let quick = args.Flag "quick"
let clock = Stopwatch.StartNew()
let outDir = outputFolder args "optimizers"
let threads = args.Int("threads", 2)
let f3 (v: float) = v.ToString("F3")
let f4 (v: float) = v.ToString("F4")
let optimiserNames = [ "SGD"; "Momentum"; "AdaGrad"; "RMSProp"; "Adam" ]

// ---- 1. Paths on two-parameter surfaces ---------------------------------------------------------
/// One surface study: the surface, each optimiser's spec (rates as in Deep Learning from Scratch ch. 6
/// for the bowls; smaller ones for the double well, whose walls are steeper), starts and steps.
type SurfaceStudy =
    { Surface: Surface
      Specs: (string * string) list
      Starts: (float * float) list
      Steps: int }

let bowlSpecs = List.zip optimiserNames [ "sgd lr=0.95"; "sgd:0.9 lr=0.1"; "adagrad lr=1.5"; "rmsprop lr=0.1"; "adam lr=0.3" ]
let surfaceStudies =
    [ { Surface = Surfaces.bowl; Specs = bowlSpecs; Starts = [ -3.0, 3.5; 3.5, -2.0; -2.0, -3.5 ]; Steps = 30 }
      { Surface = Surfaces.elongatedBowl; Specs = bowlSpecs; Starts = [ -7.0, 2.0; 7.0, -3.0; -3.0, -4.0 ]; Steps = 30 }
      { Surface = Surfaces.doubleWell
        Specs = List.zip optimiserNames [ "sgd lr=0.05"; "sgd:0.9 lr=0.02"; "adagrad lr=0.5"; "rmsprop lr=0.02"; "adam lr=0.1" ]
        Starts = [ -2.0, 1.5; -0.5, -1.5; 0.5, 1.5; 2.0, -1.5 ]
        Steps = 150 } ]

let pathsOf (study: SurfaceStudy) =
    [ for name, specText in study.Specs ->
        let spec = OptimizerSpec.parse specText
        name, specText,
        [ for s in study.Starts -> s, DescentPaths.optimizerPath spec.Rule spec.Policy.BaseLr study.Surface study.Steps s ] ]
let surfaceResults = surfaceStudies |> List.map (fun st -> st, pathsOf st)

let endsIn (s: Surface) (x: float, y: float) =
    let name, mx, my = Surfaces.nearestMinimum s x y
    let d = sqrt ((x - mx) ** 2.0 + (y - my) ** 2.0)
    if d < 0.1 then $"{name} minimum" else $"near the {name} minimum (still {d:F2} away)"

for st, results in surfaceResults do
    for name, _, paths in results do
        for (x0, y0), path in paths do
            let x, y = Array.last path
            printfn "%-28s %-8s from (%g, %g) → (%.4f, %.4f): %s" st.Surface.Name name x0 y0 x y (endsIn st.Surface (x, y))

// ---- 2. Five optimisers training one small CNN -------------------------------------------------
let cnnSpecs = List.zip optimiserNames [ "sgd lr=0.1"; "sgd:0.9 lr=0.01"; "adagrad lr=0.01"; "rmsprop lr=0.001"; "adam lr=0.001" ]

/// conv 5×5 ×8 → ReLU → max-pool 2 → conv 5×5 ×16 → ReLU → max-pool 2 → affine → 10 classes.
let smallCnn (channels: int) (size: int) (seed: int) : Module =
    let gen = Generator(seed)
    let after = ((size - 4) / 2 - 4) / 2
    Sequential [ "conv1", Conv2d(channels, 8, 5, gen = gen) :> Module
                 "relu1", ReLU()
                 "pool1", MaxPool2d(2, 2)
                 "conv2", Conv2d(8, 16, 5, gen = gen)
                 "relu2", ReLU()
                 "pool2", MaxPool2d(2, 2)
                 "flatten", Flatten()
                 "fc", Linear(16 * after * after, 10, gen = gen) ] :> Module

let digits = Data.mnistOrSynthetic (args.Option "data") [ "mnist"; "cifar-10" ]
let first (n: int) (d: DataSet) = if d.Count <= n then d else d.Subset([| 0 .. n - 1 |], $"{d.Name}[:{n}]")
let mnist, cifar, dataNote =
    match Option.ofObj digits.Resolution.Root with
    | Some root ->
        let c = try Some(Cifar10.Load root) with ex -> eprintfn "exp_optimizers: CIFAR-10 not loaded (%s); MNIST only" ex.Message; None
        digits.Data, c, $"real data from {root}"
    | None ->
        eprintfn "exp_optimizers: WARNING: no real MNIST found; running on SYNTHETIC digits. The curves below say nothing about MNIST or CIFAR-10."
        digits.Data, None, "SYNTHETIC digits (no MNIST found)"
let cnnIterations = args.Int("iterations", if quick then 60 else 1500)
let cnnBatch = if quick then 50 else 100
let cnnTrainCount, cnnTestCount, cnnProbe = if quick then 3000, 1000, 1000 else 60000, 10000, 5000
let cnnOptions = EpochTrainingOptions(Iterations = cnnIterations, BatchSize = cnnBatch, IterationsPerEpoch = max 1 (cnnIterations / 5),
                                      DataSeed = 1, Threads = threads, Scale = PixelScale.Unit255, TrainEvaluationCount = cnnProbe)
let trainFive (label: string) (split: TrainTestSplit) =
    let train, test = first cnnTrainCount split.Train, first cnnTestCount split.Test
    let initial = smallCnn train.Channels train.Height 7
    [ for name, spec in cnnSpecs ->
        let model = initial.Clone() // every optimiser starts from the same weights bit for bit
        let r = EpochTraining.Run(model, spec, train, test, cnnOptions)
        printfn "%s %-8s %-18s final train loss %.4f, test loss %.4f, test acc %.4f (%.1f s, %.0f img/s)"
            label name spec r.Final.TrainLoss r.Final.TestLoss r.Final.TestAccuracy r.TrainSeconds (r.ImagesPerSecond cnnBatch)
        name, spec, r ],
    train, test
let mnistRuns, mnistCnnTrain, mnistCnnTest = trainFive "MNIST" mnist
let cifarRuns = cifar |> Option.map (fun c -> trainFive "CIFAR-10" c)

// ---- 3. Over- and under-fitting on a small subset ----------------------------------------------
let fitTrain = Splits.StratifiedSubsample(mnist.Train, (if mnist.Train.Count >= 60000 then 1000.0 / 600.0 else 20.0), 3)
let fitTest = first (if quick then 1000 else 2000) mnist.Test
let mlp (hidden: int list) (seed: int) : Module =
    let gen = Generator(seed)
    let sizes = 784 :: hidden @ [ 10 ]
    let layers =
        [ yield "flatten", Flatten() :> Module
          for i, (a, b) in List.indexed (List.pairwise sizes) do
              yield $"fc{i + 1}", Linear(a, b, gen = gen) :> Module
              if i < hidden.Length then yield $"relu{i + 1}", ReLU() :> Module ]
    Sequential layers :> Module
let fitNets = [ "784-2-10", [ 2 ]; "784-32-10", [ 32 ]; "784-256-256-10", [ 256; 256 ] ]
let fitSpec = "adam lr=0.001"
let fitEpochs = 20 // with 60 the mid-sized net memorises its 1,000 images too
let fitBatch = 50
let stepsPerEpoch = max 1 (fitTrain.Count / fitBatch)
let fitOptions = EpochTrainingOptions(Iterations = fitEpochs * stepsPerEpoch, BatchSize = fitBatch, IterationsPerEpoch = (if quick then 2 else 1) * stepsPerEpoch,
                                      DataSeed = 5, Threads = threads, Scale = PixelScale.Unit255)
let fitRuns =
    [ for name, hidden in fitNets ->
        let r = EpochTraining.Run(mlp hidden 11, fitSpec, fitTrain, fitTest, fitOptions)
        let verdict = FitDiagnosis.Diagnose(r.Epochs |> Seq.map (fun e -> e.TrainLoss) |> Seq.toArray, r.Epochs |> Seq.map (fun e -> e.TestLoss) |> Seq.toArray)
        printfn "%-16s %A: %s" name verdict.Verdict verdict.Reason
        name, r, verdict ]

// ---- Report ------------------------------------------------------------------------------------
let report = Report("Optimisers, loss surfaces and fitting (paper 002)" + (if quick then " — quick run" else ""))
report.Paragraph(
    "Paper 002 explains training as a walk downhill on a loss surface and names five ways to walk: SGD, Momentum, AdaGrad, RMSProp and Adam. "
    + "Here each walks on three two-parameter surfaces, then trains the same small CNN, and three nets of different size show under- and over-fitting.") |> ignore

report.Heading("1. Paths on two-parameter surfaces") |> ignore
for st, results in surfaceResults do
    report.Heading(st.Surface.Name, 3) |> ignore
    let xs, ys, z = Surfaces.grid st.Surface 81 81
    let (xlo, xhi), (ylo, yhi) = st.Surface.XRange, st.Surface.YRange
    let inside (x: float, y: float) = x >= xlo && x <= xhi && y >= ylo && y <= yhi
    let rows =
        [ for name, spec, paths in results do
            for (x0, y0), path in paths ->
                let x, y = Array.last path
                [| name; spec; $"({x0:G3}, {y0:G3})"; $"({f4 x}, {f4 y})"; f4 (st.Surface.Value x y); endsIn st.Surface (x, y) |] ]
    report.Table([| "optimiser"; "spec"; "start"; $"end after {st.Steps} steps"; "f(end)"; "ends in" |], rows) |> ignore
    for name, spec, paths in results do
        let series =
            [ for (x0, y0), path in paths ->
                let shown = path |> Array.takeWhile inside
                Series($"from ({x0:G3}, {y0:G3})", Array.map fst shown, Array.map snd shown) ]
            |> List.filter (fun s -> s.X.Length > 0)
        report.ContourWithPaths($"{name} ({spec}) on {st.Surface.Name}", xs, ys, z, series) |> ignore
let wellStudy, wellResults = List.last surfaceResults
let localEnds =
    [ for name, _, paths in wellResults do
        for (x0, y0), path in paths do
            let x, y = Array.last path
            let which, _, _ = Surfaces.nearestMinimum wellStudy.Surface x y
            if which = "local" then yield $"{name} from ({x0:G3}, {y0:G3})" ]
let _, gx, _ = wellStudy.Surface.Minima.Head
let _, lx, _ = wellStudy.Surface.Minima[1]
report.Paragraph(
    $"On the double well the global minimum is at x = {gx:F3} (f = {wellStudy.Surface.Value gx 0.0:F3}) and the local one at x = {lx:F3} "
    + $"(f = {wellStudy.Surface.Value lx 0.0:F3}), with the ridge between them at x = {Surfaces.doubleWellRidge:F3}. "
    + (if localEnds.IsEmpty then "No run ends in the local minimum."
       else "Runs that end in the LOCAL minimum: " + String.Join(", ", localEnds) + ".")) |> ignore

report.Heading("2. The five optimisers training one CNN") |> ignore
report.Paragraph($"{dataNote}. The same initial weights for every optimiser; {cnnIterations} steps of batch {cnnBatch}. "
                 + "Curves: mini-batch loss, averaged over 20 steps.") |> ignore
let smooth (xs: float[]) = Array.init xs.Length (fun i -> let lo = max 0 (i - 19) in Array.average xs[lo..i])
let cnnSection (label: string) (runs: (string * string * EpochTrainingResult) list) (train: DataSet) (test: DataSet) =
    report.Heading(label, 3) |> ignore
    report.LineChart($"{label}: training loss", "step", "cross-entropy loss",
                     [ for name, _, r in runs -> Series.OfValues(name, smooth (Seq.toArray r.Losses)) ], logY = true) |> ignore
    report.LineChart($"{label}: test loss", "step", "cross-entropy loss",
                     [ for name, _, r in runs -> Series(name, r.Epochs |> Seq.map (fun e -> float e.Iteration) |> Seq.toArray, r.Epochs |> Seq.map (fun e -> e.TestLoss) |> Seq.toArray) ]) |> ignore
    let bestName, _, _ = runs |> List.minBy (fun (_, _, r) -> r.Final.TestLoss)
    report.Table([| "optimiser"; "spec"; "final train loss"; "final test loss"; "test accuracy"; "img/s" |],
                 [ for name, spec, r in runs -> [| name; spec; f4 r.Final.TrainLoss; f4 r.Final.TestLoss; f4 r.Final.TestAccuracy; (r.ImagesPerSecond cnnBatch).ToString("F0") |] ],
                 $"train: {train}; test: {test}. Lowest test loss: {bestName}.") |> ignore
cnnSection "MNIST" mnistRuns mnistCnnTrain mnistCnnTest
match cifarRuns with
| Some(runs, train, test) -> cnnSection "CIFAR-10 (3 channels)" runs train test
| None -> report.Paragraph("CIFAR-10 was not found under the data root; only MNIST was trained.") |> ignore

report.Heading("3. Under- and over-fitting") |> ignore
report.Paragraph($"Three MLPs (ReLU) trained with {fitSpec}, batch {fitBatch}, for {fitEpochs} epochs on {fitTrain.Count} MNIST images (class-stratified); "
                 + $"test on {fitTest.Count}. The verdicts are decided from the numbers (FitDiagnosis): over-fitting when the test loss climbs ≥ 10%% "
                 + "above its minimum while the training loss keeps falling, or when the training set is memorised (loss ≤ 0.05) with the test loss ≥ 2.5× that; under-fitting when the training loss itself stays ≥ 0.5 nats.") |> ignore
for name, r, _ in fitRuns do
    let ex = r.Epochs |> Seq.map (fun e -> float e.Iteration / float stepsPerEpoch) |> Seq.toArray
    report.LineChart($"{name}: train vs test loss", "epoch", "cross-entropy loss",
                     [ Series("train", ex, r.Epochs |> Seq.map (fun e -> e.TrainLoss) |> Seq.toArray)
                       Series("test", ex, r.Epochs |> Seq.map (fun e -> e.TestLoss) |> Seq.toArray) ]) |> ignore
report.Table([| "net"; "parameters"; "final train loss"; "final test loss"; "min test loss"; "test accuracy"; "verdict"; "why" |],
             [ for (name, hidden), (_, r, v) in List.zip fitNets fitRuns ->
                 [| name; string (mlp hidden 11).ParameterCount; f4 v.FinalTrainLoss; f4 v.FinalTestLoss; f4 v.MinTestLoss; f4 r.Final.TestAccuracy; string v.Verdict; v.Reason |] ]) |> ignore
report.KeyValues("Run",
                 [ "data", dataNote; "threads", string threads; "CNN", "conv5×5×8 → ReLU → pool2 → conv5×5×16 → ReLU → pool2 → affine → 10, PyTorch default init, seed 7"
                   "CNN data", $"first {cnnTrainCount} train / {cnnTestCount} test images, train metrics on the first {cnnProbe}"
                   "total wall time", $"{clock.Elapsed.TotalSeconds:F1} s" ] |> pairs) |> ignore
let reportPath = report.Save(IO.Path.Combine(outDir, "report.html"))
printfn "report: %s (%.1f s)" reportPath clock.Elapsed.TotalSeconds
