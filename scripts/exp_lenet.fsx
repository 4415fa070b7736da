// Paper 000: how the initial weights and the training set shape what LeNet-5 learns.
// Five initial weight sets (Xavier, variance 2/(n_in+n_out)) each train one model on Chars74K digits
// and one on MNIST, starting from the same tensors bit for bit; the trained models are compared by
// the sum of absolute weight differences (Tables 2 and 3) and by their loss curves (Figures 1 and 2).
//
//   dotnet fsi scripts/exp_lenet.fsx [--quick] [--data DIR] [--out DIR] [--threads N] [--iterations N] [--store PATH]
//                                     [--workers N | --slurm | --report-only]
// --workers N trains the arms on N local worker processes (N × --threads must not exceed the cores: the thread
// count is part of each arm's config), --slurm submits them as a Slurm job array and stops (rerun the same
// command when the job is done), --report-only trains nothing and builds the report from the arms in the store.
#load "Common.fsx"

open System
open System.Diagnostics
open InitLab.Data
open InitLab.Kernel
open InitLab.Kernel.Nn
open InitLab.Reports
open InitLab.Studies
open InitLab.Studies.Comparison
open InitLab.Training
open Common

let args = Args.parse fsi.CommandLineArgs
let quick = args.Flag "quick"

// ---- The study as one record: the stored config of every run and the report's configuration table are generated from it
let study =
    StudyConfig(
        Name = "lenet-init",
        // the paper: Xavier with variance 2/(n_in + n_out)
        Net = NetConfig(Name = "lenet5", WeightInit = "xavier-normal"),
        // the paper's Table 1: SGD momentum 0.9, weight decay 0.0005, inv policy from base_lr 0.001 with γ 1e-4, power 0.75; batch 64, 1,000 iterations
        Solver = SolverConfig(Type = "sgd", BaseLr = 0.001, Momentum = 0.9, WeightDecay = 0.0005, LrPolicy = "inv", Gamma = 0.0001, Power = 0.75,
                              MaxIter = args.Int("iterations", (if quick then 60 else 1000)), Batch = 64),
        // MNIST inverted to Chars74K's polarity (dark ink on white); Chars74K's 550 digits split 80 % / 20 %, class-stratified
        Data = DataConfig(Sets = [ "mnist"; "chars74k-hnd" ], Invert = true, Scale = PixelScale.Caffe256, ShuffleSeed = 7,
                          Split = SplitConfig(TrainPercent = 80.0, Seed = 42)),
        // model k of each data set starts from seed k
        Seeds = (if quick then [ 1; 2; 3 ] else [ 1; 2; 3; 4; 5 ]),
        Threads = args.Int("threads", 2))
study.Validate()

let clock = Stopwatch.StartNew()
let outDir = outputFolder args "lenet"

// ---- Data: MNIST and Chars74K digits under one root, else synthetic stand-ins for both ---------------
// (Host/Studies/LeNetInit/LeNetStudyData.cs: the sweep workers load them the same way)
let data = LeNetStudyData.Load(study, DataRootOptions(ExplicitRoot = Option.toObj (args.Option "data"), Warnings = Console.Error))
if data.IsSynthetic then
    eprintfn "exp_lenet: WARNING: no real MNIST/Chars74K found; running on SYNTHETIC digits. The numbers below say nothing about the paper."
let root = Option.ofObj data.Root
let chars = data.Chars
let mnistTrain, mnistTest = data.MnistTrain, data.MnistTest
let dataSeconds = clock.Elapsed.TotalSeconds
printfn "data: %O | %O | chars74k train %d / test %d (%.1f s)" mnistTrain mnistTest data.CharsTrain.Count data.CharsTest.Count dataSeconds

// ---- Training: model k on Chars and model k on MNIST start from the same initial tensors ------------
let storePath = args.String("store", IO.Path.Combine(outDir, "runs.db"))
let reportOnly = args.Flag "report-only"
/// The study's arms, declared once: chars k and mnist k per seed (Host/Studies/LeNetInit/LeNetArm.cs).
let studyArms = LeNetArm.Of study
// ---- Sweep hook (issue 13): the arms as sweep tasks of kind paper000-arm when a sweep flag is given;
// once they are done, the loop below reuses every one from the store.
let sweep = InitLab.Sweeps.StudySweep("lenet-init-sweep", outDir, storePath, SweepFlags.options args study.Threads)
let sweepClock = Stopwatch.StartNew()
if not (refusable (fun () -> sweep.Ensure(LeNetArmTaskKind.Arms(study, data.IsSynthetic)))) then exit 0
if sweep.Active then printfn "sweep: %d arm(s) done in %.1f s" studyArms.Count sweepClock.Elapsed.TotalSeconds
let runner = new StudyRunner(storePath, ReuseOnly = reportOnly)

/// Model k trained on each data set from the same initial weights, with both models' accuracy on both test sets.
type ModelPair =
    { K: int
      Seed: int
      Chars: ArmResult
      Mnist: ArmResult
      CharsModel: Module
      MnistModel: Module
      CharsOnChars: float
      CharsOnMnist: float
      MnistOnMnist: float
      MnistOnChars: float }

/// Trains arm `set` k into `model`, or reuses it from the store.
let trainOrReuse set k (model: Module) =
    let arm = studyArms |> Seq.find (fun a -> a.Set = set && a.K = k)
    let struct (train, test) = data.For arm.Set
    let trainOrReuse () = runner.TrainOrReuse(study, arm.Name, arm.Seed, model, train, test)
    if reportOnly then refusable trainOrReuse else trainOrReuse ()

let arms =
    [ for i, seed in Seq.indexed study.Seeds ->
        let k = i + 1
        let charsModel = study.Net.Create seed
        let mnistModel = charsModel.Clone()
        let chars = trainOrReuse LeNetArm.Chars k charsModel
        let mnist = trainOrReuse LeNetArm.Mnist k mnistModel
        if not (Seq.forall2 (fun (a: InitLab.Kernel.StateBuffer) b -> a.Equals b) chars.InitialParameters mnist.InitialParameters) then
            failwith $"model {k}: Chars and MNIST models did not start from identical weights"
        // accuracy on its own test set comes from the trainer's final evaluation; on the other set, measured here
        let own (a: ArmResult) = (Seq.last a.Evaluations).Accuracy
        let cross (m: Module) (d: DataSet) = (Evaluator.Evaluate(m, d, study.Data.Scale)).Accuracy
        { K = k; Seed = seed; Chars = chars; Mnist = mnist; CharsModel = charsModel; MnistModel = mnistModel
          CharsOnChars = own chars; CharsOnMnist = cross charsModel mnistTest
          MnistOnMnist = own mnist; MnistOnChars = cross mnistModel data.CharsTest } ]

// ---- Results -----------------------------------------------------------------------------------
let charsFinal = arms |> List.map (fun a -> a.Chars.FinalParameters)
let mnistFinal = arms |> List.map (fun a -> a.Mnist.FinalParameters)
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
                 arms |> List.map (fun a -> curve $"Chars{a.K}" a.Chars.Losses)) |> ignore
report.LineChart("Figure 2: Chars1 vs MNIST1 (same initial weights)", "iteration", "cross-entropy loss",
                 [ curve "Chars1" arms.Head.Chars.Losses; curve "MNIST1" arms.Head.Mnist.Losses ]) |> ignore
report.Heading("Test accuracy on its own and on the other data set") |> ignore
report.Table([| "model"; "Chars74K test"; "MNIST test" |],
             [ for a in arms do
                 yield [| $"Chars{a.K}"; a.CharsOnChars.ToString("P2"); a.CharsOnMnist.ToString("P2") |]
                 yield [| $"MNIST{a.K}"; a.MnistOnChars.ToString("P2"); a.MnistOnMnist.ToString("P2") |] ]) |> ignore

// ---- Beyond position-wise sums: hidden units can be permuted without changing the function, so the
// same comparisons again after weight matching (Git Re-Basin), CKA between layers on a fixed probe set,
// and the loss barrier along the straight path between two models, before and after alignment.
let comparisonClock = Stopwatch.StartNew()
let comparison =
    NetworkComparison.Compare(
        ModelGroup("Chars", [ for a in arms -> a.CharsModel ], data.CharsTest),
        ModelGroup("MNIST", [ for a in arms -> a.MnistModel ], mnistTest),
        mnistTest,
        ComparisonOptions(Scale = study.Data.Scale,
                          ProbeCount = (if quick then 200 else 1000),
                          EvaluationLimit = (if quick then 200 else 1000)))
report.AppendComparison(comparison) |> ignore
let comparisonSeconds = comparisonClock.Elapsed.TotalSeconds
printfn "comparison: aligned distances, CKA and barriers (%.1f s)" comparisonSeconds

// ---- Configuration, data and timings -----------------------------------------------------------
report.KeyValues("Configuration", study.ConfigurationRows()) |> ignore
report.KeyValues("Data",
                 [ "root", defaultArg root "NONE: synthetic digits (no real data found)"; "MNIST train", $"{mnistTrain.Count} images, {mnistTrain.Fingerprint}"
                   "MNIST test", $"{mnistTest.Count} images, {mnistTest.Fingerprint}"
                   "Chars74K digits", $"{chars.Count} images, {chars.Fingerprint}" ] |> pairs) |> ignore
let trained = arms |> List.collect (fun a -> [ a.Chars; a.Mnist ])
report.KeyValues("Timings",
                 [ "data loading", $"{dataSeconds:F1} s"
                   "arms trained by", (if reportOnly then "none: read from the store (--report-only)"
                                       elif sweep.Options.Workers > 0 then $"{sweep.Options.Workers} local sweep worker(s) × {study.Threads} thread(s); read back from the store"
                                       elif sweep.Active then "a Slurm job array; read back from the store"
                                       else "this process")
                   "models trained / reused", $"{trained |> List.filter (fun a -> not a.Reused) |> List.length} / {trained |> List.filter (fun a -> a.Reused) |> List.length}"
                   "network comparison", $"{comparisonSeconds:F1} s"
                   "training throughput (mean)", $"{trained |> List.averageBy (fun a -> a.ImagesPerSecond):F0} img/s"
                   "total wall time", $"{clock.Elapsed.TotalSeconds:F1} s"
                   "run store", IO.Path.GetFullPath storePath ] |> pairs) |> ignore
let reportPath = report.Save(IO.Path.Combine(outDir, "report.html"))
runner.Dispose()
printfn "report: %s (%.1f s)" reportPath clock.Elapsed.TotalSeconds
