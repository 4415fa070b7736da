// Paper 001: the data-driven one-shot filter initialiser (Algorithm 1) against MSRA on the paper's LeNet-5,
// MNIST / CIFAR-10 grey / CIFAR-100 grey, training subsets r % per class, Adam batch 128 until the
// training error converges, score = Q3 of the test accuracies after convergence, n seeds per arm shared by
// both methods; δ chosen per condition on a validation split of the training subset (never the test set).
//
//   dotnet fsi scripts/exp_init.fsx [--quick] [--data DIR] [--out DIR] [--threads N] [--seeds N] [--workers N | --slurm | --report-only] [--store PATH]
#load "Common.fsx"

open System
open System.Diagnostics
open InitLab.Data
open InitLab.Kernel
open InitLab.Kernel.Init
open InitLab.Kernel.Nn
open InitLab.Reports
open InitLab.Statistics
open InitLab.Studies
open Common

let args = Args.parse fsi.CommandLineArgs
let quick = args.Flag "quick"
let clock = Stopwatch.StartNew()
let outDir = outputFolder args "init"

// ---- The protocol as data -----------------------------------------------------------------------
let dataSets = [ "mnist"; "cifar-10-grey"; "cifar-100-grey" ]
let percents = if quick then [ 1.0 ] else [ 1.0; 5.0; 10.0 ]
let seeds = [ 1 .. args.Int("seeds", if quick then 2 else 10) ]
/// δ search: the grid, and the seeds whose validation arms decide it (fewer than the test seeds, to bound the cost)
let deltaGrid = if quick then [ 0.3; 0.7 ] else [ 0.1; 0.2; 0.3; 0.4; 0.5; 0.6; 0.7; 0.8; 0.9 ]
let searchSeeds = if quick then [ 1 ] else [ 1; 2; 3 ]
let options =
    InitArmOptions(
        Convergence = (if quick then ConvergenceRule(Window = 2, Tolerance = 0.01, AfterEpochs = 2, MaxEpochs = 3)
                       else ConvergenceRule(Window = 3, Tolerance = 0.005, AfterEpochs = 5, MaxEpochs = 60)),
        Threads = args.Int("threads", 2),
        EvaluationLimit = (if quick then 300 else 0),
        TrainEvaluationLimit = (if quick then 300 else 0))
let alpha = 0.05

let validationArms =
    [ for d in dataSets do
        for r in percents do
          for delta in deltaGrid do
            for s in searchSeeds -> InitArm(d, r, InitMethod.DataDriven, delta, s, ArmPurpose.Validation) ]
/// the δ = 0.3 arms on MNIST r = 10 % (the paper's collapse), beside MSRA there; quick runs the step at
/// r = 1 % so its MSRA arms (and the δ = 0.3 arm when chosen) are the comparison's, reused from the store
let collapsePercent = if quick then 1.0 else 10.0
let collapseArms =
    [ for s in seeds do
        yield InitArm("mnist", collapsePercent, InitMethod.DataDriven, 0.3, s)
        yield InitArm("mnist", collapsePercent, InitMethod.Msra, 0.0, s) ]

// ---- Data ----------------------------------------------------------------------------------------
let root = Data.tryResolveRoot (args.Option "data") [ "mnist"; "cifar-10"; "cifar-100-grey" ]
let data =
    match root with
    | Some root ->
        let mnist = Mnist.Load root
        let c10 = Cifar10.Load root
        let c100 = Cifar100Grey.Load root
        Map [ "mnist", (mnist.Train, mnist.Test)
              "cifar-10-grey", (PixelTransforms.Greyscale c10.Train, PixelTransforms.Greyscale c10.Test)
              "cifar-100-grey", (c100.Train, c100.Test) ]
    | None ->
        eprintfn "exp_init: WARNING: no real MNIST/CIFAR found; running on SYNTHETIC digits for every data set. The numbers say nothing about the paper."
        let synth = SyntheticDigits.Generate(6000, 1), SyntheticDigits.Generate(1000, 2)
        Map [ for d in dataSets -> d, synth ]
let dataSeconds = clock.Elapsed.TotalSeconds
printfn "data loaded (%.1f s)" dataSeconds

// ---- Plan and estimate (throughput measured on a few steps of the network) -----------------------
let reportOnly = args.Flag "report-only"
/// img/s of a one-epoch probe arm; NaN under --report-only, which trains nothing
let throughput =
  if reportOnly then nan
  else
    let train, _ = data["cifar-10-grey"]
    let arm = InitArm("cifar-10-grey", 1.0, InitMethod.Msra, 0.0, 1)
    let probe = InitArmOptions(Convergence = ConvergenceRule(Window = 2, Tolerance = 0.5, AfterEpochs = 1, MaxEpochs = 1), Threads = options.Threads, EvaluationLimit = 200)
    let probePath = IO.Path.Combine(outDir, "probe.db")
    if IO.File.Exists probePath then IO.File.Delete probePath
    use t = new InitArmTraining(probePath)
    (t.RunOrReuse(arm, train, snd data["cifar-10-grey"], probe)).ImagesPerSecond
let expectedEpochs = float options.Convergence.MaxEpochs * 0.5 + float options.Convergence.AfterEpochs
let estimate (arms: InitArm list) =
    arms |> List.sumBy (fun a -> float (fst data[a.DataSet]).Count * a.SubsetPercent / 100.0 * expectedEpochs * 1.6 / throughput)
let testArmsOf d r delta = [ for s in seeds do yield InitArm(d, r, InitMethod.Msra, 0.0, s); yield InitArm(d, r, InitMethod.DataDriven, delta, s) ]
printfn "plan: %d data sets × r %A × 2 initialisers × %d seeds, δ grid %A on %d search seed(s) (%d validation arms), + %d arms at MNIST r = %g %%, δ = 0.3"
    dataSets.Length percents seeds.Length deltaGrid searchSeeds.Length validationArms.Length collapseArms.Length collapsePercent
if reportOnly then printfn "estimate: none (--report-only trains nothing)"
else
    printfn "estimate: %.0f img/s measured; ≈ %.1f min for the validation arms and ≈ %.1f min for the test arms (assuming ≈ %.0f epochs per arm and evaluation overhead ×1.6)"
        throughput (estimate validationArms / 60.0) (estimate [ for d in dataSets do for r in percents do yield! testArmsOf d r 0.5 ] / 60.0) expectedEpochs

// ---- Runs ----------------------------------------------------------------------------------------
let storePath = args.String("store", IO.Path.Combine(outDir, "runs.db"))
let training = new InitArmTraining(storePath)
// ---- Sweep hook (issue 13; keep sweep edits inside this block) ------------------------------------
// --workers N trains each batch of arms on N local worker processes, --slurm submits it as a Slurm job
// array and stops (rerun the same command when the job is done), --report-only trains nothing and builds
// the report from the arms already in the store (Host/Studies/DataDrivenInit/InitSweep.cs).
SweepFlags.useBuiltCli ()
let sweepHook = InitSweep(outDir, storePath, options, Option.toObj (args.Option "data"), root.IsNone, args.Int("workers", 0), args.Flag "slurm", reportOnly)
/// Trains (or checks) the batch `arm` belongs to through the sweep when a sweep option is given; `run` calls it first.
let sweepFirst (arm: InitArm) =
    let batch =
        if List.contains arm validationArms then validationArms
        elif List.contains arm collapseArms then collapseArms
        else [ for s in seeds -> InitArm(arm.DataSet, arm.SubsetPercent, arm.Method, arm.Delta, s, arm.Purpose) ]
    if not (refusable (fun () -> sweepHook.Ensure(arm, batch))) then exit 0
// ---- end of the sweep hook ------------------------------------------------------------------------
let run (arm: InitArm) =
    sweepFirst arm // the sweep hook above
    let train, test = data[arm.DataSet]
    let r = training.RunOrReuse(arm, train, test, options)
    printfn "  %-42s score %.4f  converged %s  %d epochs%s" arm.Key r.Score (match Option.ofNullable r.ConvergedEpoch with Some e -> $"at {e}" | None -> "no (cap)") r.Epochs.Count (if r.Reused then "  (reused)" else "")
    r


printfn "δ search (validation split of each training subset):"
let validation = validationArms |> List.map run
let sensitivity =
    [ for d in dataSets do
        for r in percents ->
          (d, r), [ for delta in deltaGrid ->
                      delta, validation |> List.filter (fun v -> v.Arm.DataSet = d && v.Arm.SubsetPercent = r && v.Arm.Delta = delta) |> List.averageBy (fun v -> v.Score) ] ]
    |> Map
let chosenDelta key = sensitivity[key] |> List.maxBy snd |> fst // first maximum: the smaller δ on a tie

printfn "comparison on the test sets:"
type Condition = { DataSet: string; Percent: float; Delta: float; Msra: InitArmResult list; Proposed: InitArmResult list }
let conditions =
    [ for d in dataSets do
        for r in percents ->
          let delta = chosenDelta (d, r)
          let results = testArmsOf d r delta |> List.map run
          { DataSet = d; Percent = r; Delta = delta
            Msra = results |> List.filter (fun x -> x.Arm.Method = InitMethod.Msra)
            Proposed = results |> List.filter (fun x -> x.Arm.Method = InitMethod.DataDriven) } ]
printfn "MNIST r = %g %%, δ = 0.3:" collapsePercent
let collapse = collapseArms |> List.map run

// ---- Statistics ----------------------------------------------------------------------------------
let scores (rs: InitArmResult list) = rs |> List.sortBy (fun r -> r.Arm.Seed) |> List.map (fun r -> r.Score) |> List.toArray
let welch = conditions |> List.map (fun c -> TTest.Welch(scores c.Proposed, scores c.Msra))
let paired = conditions |> List.map (fun c -> TTest.Paired(scores c.Proposed, scores c.Msra))
let holm = HolmCorrection.Adjust(welch |> List.map (fun t -> if Double.IsNaN t.PValue then 1.0 else t.PValue) |> List.toArray)
let verdict (t: TTestResult) (adjusted: float) =
    if adjusted < alpha then (if t.MeanDifference > 0.0 then "proposed significantly better" else "MSRA significantly better")
    else "no significant difference"
let verdicts = List.mapi (fun i c -> c, welch[i], paired[i], holm[i], verdict welch[i] holm[i]) conditions
let pct (x: float) = (100.0 * x).ToString("F2") + " %"
let meanCi (rs: InitArmResult list) = let s = SampleSummary.Of(scores rs) in if Double.IsNaN s.HalfWidth95 then pct s.Mean else $"{pct s.Mean} ± {(100.0 * s.HalfWidth95):F2}"
let pv (p: float) = if p < 1e-4 then p.ToString("E1") else p.ToString("F4")

// ---- Claims --------------------------------------------------------------------------------------
let conditionsWhere f = verdicts |> List.filter (fun (c, _, _, _, _) -> f c)
let claim name (selected: (Condition * TTestResult * TTestResult * float * string) list) (want: string) =
    if selected.IsEmpty then name, "not tested in this run (quick mode runs r = 1 % only)"
    else
        let ok = selected |> List.filter (fun (_, _, _, _, v) -> v = want) |> List.length
        name, (if ok = selected.Length then $"supported ({ok} of {selected.Length} conditions: {want})"
               else $"NOT supported: {ok} of {selected.Length} conditions show '{want}'")
let collapseProposed = collapse |> List.filter (fun r -> r.Arm.Method = InitMethod.DataDriven) |> scores |> SampleSummary.Of
let collapseMsra = collapse |> List.filter (fun r -> r.Arm.Method = InitMethod.Msra) |> scores |> SampleSummary.Of
let claims =
    [ claim "significantly better than MSRA at r = 5, 10 % on MNIST and CIFAR-10"
            (conditionsWhere (fun c -> c.Percent >= 5.0 && c.DataSet <> "cifar-100-grey")) "proposed significantly better"
      claim "no significant difference at r = 1 % and on CIFAR-100"
            (conditionsWhere (fun c -> c.Percent = 1.0 || c.DataSet = "cifar-100-grey")) "no significant difference"
      $"δ = 0.3 collapses training on MNIST r = {collapsePercent} %% (paper, r = 10 %%: 20.31 %%)",
        (if collapseProposed.Mean < 0.5 then $"reproduced: {pct collapseProposed.Mean}" else $"NOT reproduced: {pct collapseProposed.Mean} (n = {collapseProposed.N})")
      $"MSRA reaches 98.71 %% on MNIST r = {collapsePercent} %% (paper: r = 10 %%)",
        (let lo, hi = collapseMsra.Low95, collapseMsra.High95
         if not (Double.IsNaN lo) && lo <= 0.9871 && 0.9871 <= hi then $"consistent: {meanCi (collapse |> List.filter (fun r -> r.Arm.Method = InitMethod.Msra))}"
         else $"differs: {pct collapseMsra.Mean} (95 %% CI {pct lo} – {pct hi})") ]

// ---- Figures' material: the generated filters of Fig. 2 on MNIST ----------------------------------
let fig2 =
    let train, _ = data["mnist"]
    let subset = Splits.StratifiedSubsample(train, percents.Head, 1)
    let model = InitArmTraining.Initialise(InitArm("mnist", percents.Head, InitMethod.Msra, 0.0, 1), subset, PixelScale.Unit255)
    let inputs =
        let values = Array.zeroCreate<float32> (subset.Count * subset.ImageSize)
        for k in 0 .. subset.Count - 1 do PixelTransforms.ToFloat(subset.Image k, Span(values, k * subset.ImageSize, subset.ImageSize), PixelScale.Unit255)
        Tensor.Wrap(values, [| subset.Count; subset.Channels; subset.Height; subset.Width |])
    let sw = Stopwatch.StartNew()
    let r = DataDrivenModel.Initialise(DataDrivenOptions.Default.WithDelta 0.5, model, Paper001LeNet.DataDrivenLayers, inputs, Generator 2UL)
    r[0].Result, sw.Elapsed.TotalSeconds, subset.Count
let fig2Result, initSeconds, initImages = fig2
let filters (values: float[]) count = [| for j in 0 .. count - 1 -> Array.init 49 (fun i -> float32 values[j * 49 + i]) |]

// ---- Report --------------------------------------------------------------------------------------
let report = Report("Paper 001: a data-driven one-shot initialiser against MSRA" + (if quick then " (QUICK: small settings, not the protocol)" else ""))
report.Paragraph("Algorithm 1 of Suzuki, Shouno and Sakanashi initialises conv1 (20 filters 7×7) and then conv2 (50 filters 5×5, seeing conv1's initialised output) "
                 + "of their LeNet-5 from the training data in one pass; the other layers and the baseline use MSRA (He) N(0, 2/fan_in), biases 0. "
                 + "Each arm trains with Adam (lr 1e-3), batch 128, until the training error converges; its score is the Q3 of the test accuracies after convergence.") |> ignore
report.Heading("Results per data set and training subset") |> ignore
report.Table([| "data set"; "r"; "MSRA mean Q3 ± 95 % CI"; "proposed mean Q3 ± 95 % CI"; "chosen δ"; "Welch p"; "paired p"; "Holm-adjusted p"; "verdict (α = 0.05, Holm)" |],
             [ for c, w, p, h, v in verdicts ->
                 [| c.DataSet; $"{c.Percent} %%"; meanCi c.Msra; meanCi c.Proposed; string c.Delta; pv w.PValue; pv p.PValue; pv h; v |] ],
             $"n = {seeds.Length} seeds per arm, the same seeds for both methods (paired). Holm's correction runs over the {conditions.Length} conditions' Welch p-values.") |> ignore
report.Heading("The paper's claims") |> ignore
report.Table([| "claim"; "verdict here" |], [ for name, v in claims -> [| name; v |] ]) |> ignore
report.Heading("Our reading of Algorithm 1") |> ignore
report.Table([| "open detail"; "our reading (parameter)" |],
             [ [| "act's channels vs prev's positions in seed ⊙ act"; "act is reduced over channels by max; act's grid is the valid-convolution grid, so position p is the window of prev at p; the product is taken window-wise (an inhibited position's window cannot seed)" |]
               [| "which filters produce act while the set grows"; "the filters kept so far, mixed as they would be initialised (Inhibitors = GrowingSet; InitialFilters = the MSRA weights)" |]
               [| "normaliser ‖seed[N(ζ*, 2)]‖²"; "read as ‖seed[N(ζ*, s)]‖₂: g_x has unit norm (SeedNorm = UnitNorm; SquaredNorm, MatchGaussian)" |]
               [| "scale of g_x against g_r"; "g_r ~ N(0, 1) as printed (GaussianStd = 1), g_x unit norm: δ weighs unequal parts (MatchGaussian equalises them)" |]
               [| "θ's scale"; "act computed with unit-norm filters so θ does not depend on their scale (NormaliseActivation); θ = 1, ε = 0.5, r_t = 2, s = kernel" |]
               [| "'activation' for the top-k"; "the seed filter's response ‖ϕ(g_x ⋆ prev)‖_F (Ranking = SeedResponse; LayerResponse = ‖act‖_F)" |]
               [| "an input the layer already represents"; "proposes no filter, nor does one whose unrepresented windows are all blank (zero energy); a slot no input fills keeps g_r" |]
               [| "one pass, input by input"; "the inputs are visited one by one in the seed's order, as written; for speed their act is convolved in blocks, and a block restarts after any input that changed the filter set, so the result is the one-by-one pass's, bit for bit" |]
               [| "biases"; "0, as MSRA's Caffe filler" |]
               [| "C1's input channels"; "the paper prints 20×3×7×7 for grey inputs; we use the input's channel count (1)" |]
               [| "convergence"; $"training error over {options.Convergence.Window} epochs within {options.Convergence.Tolerance}, then {options.Convergence.AfterEpochs} scored epochs; cap {options.Convergence.MaxEpochs} epochs" |] ]) |> ignore
report.ImageGrid("Generated filters (Fig. 2): random g_r", filters fig2Result.Gaussian 8, 7, 7) |> ignore
report.ImageGrid("Generated filters (Fig. 2): seed g_x", filters fig2Result.Seeds 8, 7, 7) |> ignore
report.ImageGrid("Generated filters (Fig. 2): mixed at δ = 0.5", filters (fig2Result.Weight.ToArray()) 8, 7, 7) |> ignore
let firstOf (c: Condition) (rs: InitArmResult list) = rs |> List.minBy (fun r -> r.Arm.Seed)
for c in conditions do
    let m, p = firstOf c c.Msra, firstOf c c.Proposed
    let c1 (w: float32[]) = [| for j in 0 .. 19 -> Array.sub w (j * 49) 49 |]
    report.ImageGrid($"C1 filters, {c.DataSet} r = {c.Percent} %%, seed {m.Arm.Seed}: MSRA initial / trained, proposed initial / trained",
                     Array.concat [ c1 m.Conv1Initial; c1 m.Conv1Trained; c1 p.Conv1Initial; c1 p.Conv1Trained ], 7, 7) |> ignore
    report.LineChart($"Test accuracy per epoch, {c.DataSet} r = {c.Percent} %%", "epoch", "test accuracy",
                     [ for r in c.Msra @ c.Proposed ->
                         Series($"""{(if r.Arm.Method = InitMethod.Msra then "MSRA" else "proposed")} s{r.Arm.Seed}""",
                                r.Epochs |> Seq.map (fun e -> float e.Epoch) |> Seq.toArray, r.Epochs |> Seq.map (fun e -> e.EvaluationAccuracy) |> Seq.toArray) ]) |> ignore
report.LineChart("δ sensitivity: validation Q3 against δ", "δ", "validation accuracy (Q3, mean over search seeds)",
                 [ for KeyValue((d, r), pts) in sensitivity -> Series($"{d} r = {r} %%", pts |> List.map fst |> List.toArray, pts |> List.map snd |> List.toArray) ]) |> ignore
report.KeyValues("Timings",
                 [ "data loading", $"{dataSeconds:F1} s"
                   $"Algorithm 1 on MNIST r = {percents.Head} %% (conv1 + conv2)", $"{initSeconds:F2} s for {initImages} images"
                   "training throughput (measured probe)", (if reportOnly then "not measured (--report-only)" else $"{throughput:F0} img/s")
                   "arms trained / reused", (let all = validation @ collapse @ (conditions |> List.collect (fun c -> c.Msra @ c.Proposed)) in $"{all |> List.filter (fun a -> not a.Reused) |> List.length} / {all |> List.filter (fun a -> a.Reused) |> List.length}")
                   "total wall time", $"{clock.Elapsed.TotalSeconds:F1} s"
                   "run store", IO.Path.GetFullPath storePath
                   "data root", defaultArg root "NONE: synthetic digits" ] |> pairs) |> ignore
let reportPath = report.Save(IO.Path.Combine(outDir, "report.html"))
training.Dispose()
printfn "report: %s (%.1f s)" reportPath clock.Elapsed.TotalSeconds
