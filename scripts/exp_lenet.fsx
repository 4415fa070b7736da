// Paper 000: how the initial weights and the training set shape what LeNet-5 learns.
// Five initial weight sets (Xavier, variance 2/(n_in+n_out)) each train one model on Chars74K digits
// and one on MNIST, starting from the same tensors bit for bit; the trained models are compared by
// the sum of absolute weight differences (Tables 2 and 3) and by their loss curves (Figures 1 and 2).
//
//   dotnet fsi scripts/exp_lenet.fsx [--quick] [--data DIR] [--out DIR] [--threads N] [--iterations N]
#load "Common.fsx"

open System
open System.Diagnostics
open InitLab.Data
open InitLab.Kernel
open InitLab.Kernel.Init
open InitLab.Kernel.Nn
open InitLab.Reports
open InitLab.Studies
open InitLab.Training
open Common

// ---- The study as one declarative record: net, solver and data (as a Caffe prototxt would) ------
type LeNetStudy =
    { /// seeds of the five initial weight sets (model k of each data set shares seed k)
      Seeds: int list
      /// the paper: Xavier with variance 2/(n_in + n_out)
      WeightInit: Initializer
      /// the paper's Table 1: SGD momentum 0.9, weight decay 0.0005, inv policy base_lr 0.001, γ 1e-4, power 0.75
      Solver: string
      Batch: int
      Iterations: int
      /// Chars74K digits: class-stratified train fraction of the 550 images
      CharsTrainPercent: float
      SplitSeed: int
      DataSeed: int
      Threads: int }

let args = Args.parse fsi.CommandLineArgs
let quick = args.Flag "quick"

let study =
    { Seeds = if quick then [ 1; 2; 3 ] else [ 1; 2; 3; 4; 5 ]
      WeightInit = XavierNormal
      Solver = "sgd:0.9 lr=0.001 wd=0.0005 policy=inv:0.0001:0.75"
      Batch = 64
      Iterations = args.Int("iterations", if quick then 60 else 1000)
      CharsTrainPercent = 80.0
      SplitSeed = 42
      DataSeed = 7
      Threads = args.Int("threads", 2) }

let clock = Stopwatch.StartNew()
let outDir = outputFolder args "lenet"

// ---- Data: MNIST inverted to Chars74K's polarity (dark ink on white), Chars74K digits normalised like MNIST
let root = Data.tryResolveRoot (args.Option "data") [ "mnist"; "chars74k-hnd" ]
let mnistTrain, mnistTest, chars, charsSplit =
    match root with
    | Some root ->
        let mnist = Mnist.Load root
        // Chars74K.Load centres each digit in 28×28 with MNIST's polarity; inverting both sets gives
        // Chars74K's own dark-on-white polarity, to which the paper inverts MNIST.
        let chars = Chars74K.Load(root, Chars74KOptions(DigitsOnly = true)) |> PixelTransforms.Invert
        let trainCount = int (round (float chars.Count * study.CharsTrainPercent / 100.0))
        PixelTransforms.Invert mnist.Train, PixelTransforms.Invert mnist.Test, chars,
        Splits.TrainValidationTest(chars, trainCount, 0, chars.Count - trainCount, study.SplitSeed, stratified = true)
    | None ->
        eprintfn "exp_lenet: WARNING: no real MNIST/Chars74K found; running on SYNTHETIC digits. The numbers below say nothing about the paper."
        let chars = SyntheticDigits.Generate(550, 74) |> PixelTransforms.Invert
        PixelTransforms.Invert(SyntheticDigits.Generate(6000, 1)), PixelTransforms.Invert(SyntheticDigits.Generate(1000, 2)), chars,
        Splits.TrainValidationTest(chars, 440, 0, 110, study.SplitSeed, stratified = true)
let dataSeconds = clock.Elapsed.TotalSeconds
printfn "data: %O | %O | chars74k train %d / test %d (%.1f s)" mnistTrain mnistTest charsSplit.Train.Count charsSplit.Test.Count dataSeconds

// ---- Training: model k on Chars and model k on MNIST start from the same initial tensors ------------
let storePath = args.String("store", IO.Path.Combine(outDir, "runs.db"))
let runner = new StudyRunner(storePath)

let options =
    TrainingOptions(Iterations = study.Iterations, BatchSize = study.Batch, DataSeed = study.DataSeed,
                    Threads = study.Threads, Scale = PixelScale.Caffe256, TestInterval = 0,
                    Progress = ProgressMode.Auto)

let configJson (dataName: string) (fingerprint: string) (seed: int) =
    Json.ofPairs [ "net", "caffe-lenet5"; "data_fingerprint", fingerprint; "init", study.WeightInit.ToString(); "init_seed", string seed
                   "solver", study.Solver; "batch", string study.Batch; "iterations", string study.Iterations
                   "data", dataName; "data_seed", string study.DataSeed; "threads", string study.Threads
                   "chars_split", $"{study.CharsTrainPercent}%%/seed {study.SplitSeed}"; "scale", "1/256" ]

let train (dataName: string) (k: int) (seed: int) (model: Module) (trainSet: DataSet) (testSet: DataSet) =
    let config = configJson dataName (trainSet.Fingerprint + "+" + testSet.Fingerprint) seed
    let arm = ArmSpec("lenet-init", $"{dataName}{k}", config, int64 seed, study.Solver, options)
    runner.TrainOrReuse(arm, model, trainSet, testSet)

let arms =
    [ for k, seed in List.indexed study.Seeds |> List.map (fun (i, s) -> i + 1, s) ->
        let charsModel = Models.LeNet5(weightInit = study.WeightInit, gen = Generator(seed)) :> Module
        let mnistModel = charsModel.Clone()
        let chars = train "chars" k seed charsModel charsSplit.Train charsSplit.Test
        let mnist = train "mnist" k seed mnistModel mnistTrain mnistTest
        if not (Seq.forall2 (fun (a: InitLab.Store.NamedTensor) b -> a.Equals b) chars.InitialParameters mnist.InitialParameters) then
            failwith $"model {k}: Chars and MNIST models did not start from identical weights"
        // accuracy on its own test set comes from the trainer's final evaluation; on the other set, measured here
        let own (a: ArmResult) = (Seq.last a.Evaluations).Accuracy
        let cross (m: Module) (d: DataSet) = (Evaluator.Evaluate(m, d, PixelScale.Caffe256)).Accuracy
        k, seed, chars, mnist,
        (own chars, cross charsModel mnistTest, own mnist, cross mnistModel charsSplit.Test) ]

// ---- Results -----------------------------------------------------------------------------------
let charsFinal = arms |> List.map (fun (_, _, c, _, _) -> c.FinalParameters)
let mnistFinal = arms |> List.map (fun (_, _, _, m, _) -> m.FinalParameters)
let table2 = WeightDistance.Matrix(charsFinal |> List.map (fun p -> p :> Collections.Generic.IReadOnlyList<_>) |> List.toArray)
let table2Mnist = WeightDistance.Matrix(mnistFinal |> List.map (fun p -> p :> Collections.Generic.IReadOnlyList<_>) |> List.toArray)
let table3 = List.map2 (fun a b -> WeightDistance.SumAbsoluteDifference(a, b)) charsFinal mnistFinal
let n = arms.Length
let offDiagonal (m: float[,]) = [ for i in 0 .. n - 1 do for j in i + 1 .. n - 1 -> m[i, j] ]
let meanDifferentInit = offDiagonal table2 |> List.average
let meanSameInit = table3 |> List.average
let ratio = meanDifferentInit / meanSameInit
let paperTable2 = [ 841.5; 849.4; 836.2; 807.3; 858.4; 824.9; 840.9; 820.3; 824.8; 815.8 ]
let paperTable3 = [ 200.5; 203.0; 225.7; 208.7; 219.8 ]
let paperRatio = List.average paperTable2 / List.average paperTable3
let holds = offDiagonal table2 |> List.min > List.max table3
let verdict =
    if holds then $"The finding holds: every different-initialisation pair (min {List.min (offDiagonal table2):F1}) is farther apart than every same-initialisation pair (max {List.max table3:F1}); mean ratio {ratio:F2} (paper {paperRatio:F2})."
    else $"The finding does NOT hold here: some same-initialisation pair (max {List.max table3:F1}) is as far apart as a different-initialisation pair (min {List.min (offDiagonal table2):F1}); mean ratio {ratio:F2} (paper {paperRatio:F2})."
printfn "Table 2 mean %.1f (paper 807–858), Table 3 mean %.1f (paper 200–226), ratio %.2f (paper %.2f)" meanDifferentInit meanSameInit ratio paperRatio
printfn "%s" verdict

// ---- Report ------------------------------------------------------------------------------------
let names prefix = [| for k in 1 .. n -> $"{prefix}{k}" |]
let fmt (v: float) = v.ToString("F1")
let matrixRows (m: float[,]) prefix =
    [ for i in 0 .. n - 1 -> Array.append [| $"{prefix}{i + 1}" |] [| for j in 0 .. n - 1 -> fmt m[i, j] |] ]
let curve (name: string) (losses: Collections.Generic.IReadOnlyList<float>) =
    Series(name, Array.init losses.Count (fun i -> float (i + 1)), Seq.toArray losses)

let title = "LeNet-5: initial weights versus training data (paper 000)" + (if quick then " — quick run" else "")
let report = Report(title)
report.Paragraph(
    "Five initial weight sets (Xavier, variance 2/(n_in+n_out)) each train one LeNet-5 on Chars74K handwritten digits "
    + "and one on MNIST (inverted to Chars74K's dark-on-white polarity), from bit-identical initial tensors. "
    + "Models are compared by the sum of absolute differences of all their weights and biases.") |> ignore
report.Heading("Verdict") |> ignore
report.Paragraph(verdict) |> ignore
report.Table([| "measure"; "ours"; "paper" |],
             [ [| "Table 2 mean (different init, Chars)"; fmt meanDifferentInit; fmt (List.average paperTable2) |]
               [| "Table 2 range"; $"{fmt (List.min (offDiagonal table2))}–{fmt (List.max (offDiagonal table2))}"; "807.3–858.4" |]
               [| "Table 3 mean (same init, Chars k vs MNIST k)"; fmt meanSameInit; fmt (List.average paperTable3) |]
               [| "Table 3 range"; $"{fmt (List.min table3)}–{fmt (List.max table3)}"; "200.5–225.7" |]
               [| "ratio of means"; ratio.ToString("F2"); paperRatio.ToString("F2") |] ],
             "Ours beside the paper's figures.") |> ignore
report.Heading("Table 2: summed absolute weight differences between Chars models") |> ignore
report.Table(Array.append [| "" |] (names "Chars"), matrixRows table2 "Chars", "Different initial weights, same data set (Chars74K).") |> ignore
report.Heading("Table 2 (MNIST): between MNIST models") |> ignore
report.Table(Array.append [| "" |] (names "MNIST"), matrixRows table2Mnist "MNIST", "Different initial weights, same data set (MNIST).") |> ignore
report.Heading("Table 3: same initial weights, Chars k vs MNIST k") |> ignore
report.Table(Array.append [| "" |] [| for k in 1 .. n -> string k |], [ Array.append [| "Σ|Δw|" |] (table3 |> List.map fmt |> List.toArray) ],
             "Same initial weights, different data sets.") |> ignore
report.Heading("Where the difference lies: per parameter tensor") |> ignore
let perDifferent = WeightDistance.PerParameter(charsFinal[0], charsFinal[1])
let perSame = WeightDistance.PerParameter(charsFinal[0], mnistFinal[0])
report.Table([| "parameter"; "values"; "Chars1 vs Chars2 (different init)"; "Chars1 vs MNIST1 (same init)" |],
             [ for struct (name, count, d) in perDifferent do
                 let struct (_, _, same) = perSame |> Seq.find (fun struct (n, _, _) -> n = name)
                 yield [| name; string count; fmt d; fmt same |] ],
             "Our sums run over all 431,080 weights and biases, so their scale is not the paper's (its 807–858 would be a mean "
             + "difference of 0.002 per weight, far below what two independent Xavier draws give); the ratio and the ordering are comparable.") |> ignore
report.LineChart("Figure 1: training loss of Chars1–5", "iteration", "cross-entropy loss",
                 arms |> List.map (fun (k, _, c, _, _) -> curve $"Chars{k}" c.Losses)) |> ignore
let _, _, c1, m1, _ = arms.Head
report.LineChart("Figure 2: Chars1 vs MNIST1 (same initial weights)", "iteration", "cross-entropy loss",
                 [ curve "Chars1" c1.Losses; curve "MNIST1" m1.Losses ]) |> ignore
report.Heading("Test accuracy on its own and on the other data set") |> ignore
report.Table([| "model"; "Chars74K test"; "MNIST test" |],
             [ for k, _, _, _, (cc, cm, mm, mc) in arms do
                 yield [| $"Chars{k}"; cc.ToString("P2"); cm.ToString("P2") |]
                 yield [| $"MNIST{k}"; mc.ToString("P2"); mm.ToString("P2") |] ]) |> ignore
report.KeyValues("Configuration",
                 [ "seeds", String.Join(", ", study.Seeds); "weight init", study.WeightInit.ToString(); "solver", study.Solver
                   "batch", string study.Batch; "iterations", string study.Iterations; "threads", string study.Threads
                   "Chars74K split", $"{study.CharsTrainPercent}%% train, stratified, seed {study.SplitSeed}"; "pixel scale", "1/256" ]
                 |> pairs) |> ignore
report.KeyValues("Data",
                 [ "root", defaultArg root "NONE: synthetic digits (no real data found)"; "MNIST train", $"{mnistTrain.Count} images, {mnistTrain.Fingerprint}"
                   "MNIST test", $"{mnistTest.Count} images, {mnistTest.Fingerprint}"
                   "Chars74K digits", $"{chars.Count} images, {chars.Fingerprint}" ] |> pairs) |> ignore
let trained = arms |> List.collect (fun (_, _, c, m, _) -> [ c; m ])
report.KeyValues("Timings",
                 [ "data loading", $"{dataSeconds:F1} s"
                   "models trained / reused", $"{trained |> List.filter (fun a -> not a.Reused) |> List.length} / {trained |> List.filter (fun a -> a.Reused) |> List.length}"
                   "training throughput (mean)", $"{trained |> List.averageBy (fun a -> a.ImagesPerSecond):F0} img/s"
                   "total wall time", $"{clock.Elapsed.TotalSeconds:F1} s"
                   "run store", IO.Path.GetFullPath storePath ] |> pairs) |> ignore
let reportPath = report.Save(IO.Path.Combine(outDir, "report.html"))
runner.Dispose()
printfn "report: %s (%.1f s)" reportPath clock.Elapsed.TotalSeconds
