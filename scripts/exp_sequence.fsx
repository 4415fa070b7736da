// Paper 003: CNN + LSTM composites on the arithmetic-sequence task (c = 2b − a from two MNIST images),
// and what their first-layer filters learn. model-1: two digit CNNs trained alone, then an LSTM on their
// predicted labels (one-hot); model-2: both CNNs feed the LSTM and the whole trains end to end on c.
// Table 2 over several seeds beside the paper's, filter distances E_ij = ‖F_i − G_j‖₂ and S_i = min_j E_ij
// (Figures 4 and 5), the 16 filters of each CNN, and the paper's readings tested with numbers.
//
//   dotnet fsi scripts/exp_sequence.fsx [--quick] [--data DIR] [--out DIR] [--threads N] [--epochs N] [--seeds N]
//                                       [--workers N | --slurm | --report-only] [--store PATH]
#load "Common.fsx"
#nowarn "3391" // C# optional Nullable<int> arguments

open System
open System.Diagnostics
open InitLab.Data
open InitLab.Kernel
open InitLab.Kernel.Nn
open InitLab.Reports
open InitLab.Statistics
open InitLab.Studies.Sequence
open Common

// ---- The study as one declarative record: its seeds, and what each seed trains (Host/Studies/Sequence) -----
type SequenceStudy =
    { Seeds: int list
      /// the paper's Table 1 (batch 128, 100 epochs, cross-entropy, SGD lr 0.01), our reading of its Figure 2's CNN
      /// (conv 16@3×3, ReLU, max-pool 2, dropout 0.25, fc 128, ReLU, fc 10), LSTM hidden 64; the parts' sizes
      Options: SequenceStudyOptions
      /// test images (the first image of the first test pairs) every CNN's layers are compared on by CKA
      ProbeImages: int }

let args = Args.parse fsi.CommandLineArgs
let quick = args.Flag "quick"
let reportOnly = args.Flag "report-only"
let study =
    let preset = if quick then SequenceStudyOptions.Quick else SequenceStudyOptions.Paper
    { Seeds = [ 1 .. args.Int("seeds", if quick then 2 else 5) ]
      Options = preset.WithEpochs(args.Int("epochs", preset.Epochs)).WithThreads(args.Int("threads", 2))
      ProbeImages = if quick then 300 else 1000 }
let o = study.Options
let cnnSpec, lstmSpec = o.CnnSpec(), o.LstmSpec()

let clock = Stopwatch.StartNew()
let outDir = outputFolder args "sequence"

// ---- Data: the sequence task's three parts with each pair's digits ------------------------------
let root = Data.tryResolveRoot (args.Option "data") [ "mnist" ]
if root.IsNone then
    eprintfn "exp_sequence: WARNING: no real MNIST found; running on SYNTHETIC digits. The numbers below say nothing about the paper."
let data = SequenceData.Load(o, Option.toObj root, root.IsNone)
let train, validation, test = data.Train, data.Validation, data.Test
let nVal, nTest = data.ValidationCount, data.TestCount
let testImages = data.TestImages
let dataSeconds = clock.Elapsed.TotalSeconds
printfn "data: %d / %d / %d pairs (train / validation / test; %d validation pairs monitored, %d test pairs scored) in %.1f s"
    train.Count validation.Count test.Count nVal nTest dataSeconds

// ---- Estimate from a timed fraction: a few steps of a CNN and of model-2 on throwaway networks ----------
let estimate = if reportOnly then None else Some(SequenceSeed.Estimate(data, o, (if quick then 4 else 20)))
match estimate with
| Some e ->
    printfn "estimate: %.2f ms per CNN step, %.2f ms per model-2 step (%.0f pairs/s): about %.1f min of training per seed, %.1f min for %d seeds (finished runs are reused, unfinished ones resume)"
        (e.CnnStepSeconds * 1e3) (e.Model2StepSeconds * 1e3) (float o.BatchSize / e.Model2StepSeconds) (e.SecondsPerSeed / 60.0)
        (e.SecondsPerSeed * float study.Seeds.Length / 60.0) study.Seeds.Length
| None -> printfn "estimate: none (--report-only trains nothing)"

// ---- Sweep hook: --workers N trains the seeds on N local worker processes, --slurm submits them as a Slurm
// job array and stops (rerun the same command when it is done); the report then reads every network back
// from the store (Host/Studies/Sequence/SequenceSweep.cs). --report-only trains nothing and reads back the
// networks in the store, whoever trained them (this script or sweep workers); a missing one is named.
let storePath = args.String("store", IO.Path.Combine(outDir, "runs.db"))
let sweep = SequenceSweep(outDir, storePath, SweepFlags.options args o.Threads, o, root.IsNone)
if sweep.Active && not reportOnly && not (refusable (fun () -> sweep.Ensure study.Seeds)) then exit 0

// ---- Training (or reading back) each seed: both models, every accuracy of Table 2, the trained CNNs ------
let runs = new SequenceRuns(storePath, ReuseOnly = sweep.Active)
let results =
    study.Seeds |> List.map (fun seed ->
        let run () = SequenceSeed.Run(seed, data, o, runs, (fun line -> printfn "%s" line))
        let r = if sweep.Active then refusable run else run () // reading back only: a missing network is named
        let recorded = r.Trained |> Seq.sumBy (fun a -> a.Seconds)
        let spent =
            if r.Trained |> Seq.forall (fun a -> a.Reused) then $"all 4 networks reused (their training took {recorded / 60.0:F1} min)"
            else $"trained in {r.TrainSeconds / 60.0:F1} min"
        let against = match estimate with Some e -> $" (estimate {e.SecondsPerSeed / 60.0:F1} min)" | None -> ""
        printfn "seed %d: CNN1 %.4f, CNN2 %.4f, LSTM (model-1) %.4f, model-2 %.4f; %s%s, %.1f s with scoring"
            seed r.Cnn1Accuracy r.Cnn2Accuracy r.LstmAccuracy r.Model2Accuracy spent against r.Seconds
        r)

// ---- Table 2 over the seeds ------------------------------------------------------------------------
type SeedResult = SequenceSeedResult
let summary (values: float list) = SampleSummary.Of(List.toArray values)
let f4 (v: float) = if Double.IsNaN v then "–" else v.ToString("F4")
let describe (s: SampleSummary) = if s.N = 1 then f4 s.Mean else $"{f4 s.Mean} ± {f4 s.StdDev}"
let ci (s: SampleSummary) = if s.N = 1 then "–" else $"[{f4 s.Low95}, {f4 s.High95}]"
let rowsOf = [ "CNN1 (digit a)", (fun (r: SeedResult) -> r.Cnn1Accuracy), 0.982
               "CNN2 (digit b)", (fun r -> r.Cnn2Accuracy), 0.983
               "LSTM of model-1 (c, fed the CNNs' predictions)", (fun r -> r.LstmAccuracy), 0.494
               "model-2 (c, end to end)", (fun r -> r.Model2Accuracy), 0.867 ]
let table2 =
    [ for name, get, paper in rowsOf ->
        let values = results |> List.map get
        let s = summary values
        printfn "Table 2: %s %s (paper %.3f)" name (describe s) paper
        [| name; describe s; ci s; String.Join(" ", values |> List.map f4); paper.ToString("F3") |] ]
let differences = results |> List.map (fun r -> r.Model2Accuracy - r.LstmAccuracy)
let diff = summary differences
let better = differences |> List.forall (fun d -> d > 0.0) && (diff.N = 1 || diff.Low95 > 0.0)
let verdict =
    if better then $"The finding holds: model-2 predicts c better than model-1 in every seed (mean gain {f4 diff.Mean}, 95 %% interval {ci diff}; paper 0.867 vs 0.494)."
    else $"The finding does NOT hold here: model-2 minus model-1 is {describe diff} over {diff.N} seeds (95 %% interval {ci diff}; paper +0.373)."
printfn "%s" verdict

// ---- Filters: E_ij = ‖F_i − G_j‖₂, S_i = min_j E_ij ----------------------------------------------------
let filters (cnn: Module) = SequenceNets.FirstFilters cnn
let distances (a: Module) (b: Module) = FilterDistances.Matrix(filters a, filters b)
let closest (a: Module) (b: Module) = FilterDistances.Closest(distances a b) |> Array.toList
let meanNorm (cnn: Module) = filters cnn |> Array.averageBy (fun f -> sqrt (Array.sumBy (fun v -> v * v) f))
/// S_i over every seed and filter for one comparison
let pooled (pick: SeedResult -> Module * Module) = results |> List.collect (fun r -> let a, b = pick r in closest a b)
let comparisons =
    [ "model-1: CNN1 → CNN2 (Fig. 4a)", (fun (r: SeedResult) -> r.Cnn1, r.Cnn2)
      "model-1: CNN2 → CNN1 (Fig. 4b)", (fun r -> r.Cnn2, r.Cnn1)
      "model-2: CNN1 → CNN2 (Fig. 4c)", (fun r -> r.Model2.Cnns[0], r.Model2.Cnns[1])
      "model-2: CNN2 → CNN1 (Fig. 4d)", (fun r -> r.Model2.Cnns[1], r.Model2.Cnns[0])
      "CNN1: model-2 → model-1 (Fig. 5)", (fun r -> r.Model2.Cnns[0], r.Cnn1)
      "CNN1: model-1 → model-2 (Fig. 5)", (fun r -> r.Cnn1, r.Model2.Cnns[0])
      "CNN2: model-2 → model-1 (Fig. 5)", (fun r -> r.Model2.Cnns[1], r.Cnn2)
      "CNN2: model-1 → model-2 (Fig. 5)", (fun r -> r.Cnn2, r.Model2.Cnns[1])
      "baseline: untrained CNN1 → untrained CNN2", (fun r -> r.Initial[0], r.Initial[1])
      "trained CNN1 (model-1) → its own initial weights", (fun r -> r.Cnn1, r.Initial[0]) ]
let quantile (q: float) (xs: float list) =
    let s = List.sort xs |> List.toArray
    s[min (s.Length - 1) (int (q * float (s.Length - 1) + 0.5))]
let baseline = pooled (fun r -> r.Initial[0], r.Initial[1])
let baselineMedian = quantile 0.5 baseline
let filterRows =
    [ for name, pick in comparisons ->
        let s = pooled pick
        let perSeedMean = results |> List.map (fun r -> let a, b = pick r in closest a b |> List.average)
        [| name; describe (summary perSeedMean); f4 (quantile 0.5 s); f4 (quantile 0.95 s); f4 (List.max s)
           (s |> List.filter (fun v -> v < baselineMedian) |> List.length |> fun k -> $"{k} / {s.Length}") |] ]
let m2ToM1 = pooled (fun r -> r.Model2.Cnns[0], r.Cnn1) @ pooled (fun r -> r.Model2.Cnns[1], r.Cnn2)
let closeHolds = List.max m2ToM1 < baselineMedian
let closeVerdict =
    let n = m2ToM1 |> List.filter (fun v -> v < baselineMedian) |> List.length
    (if closeHolds then "Holds: " else "Does NOT hold: ")
    + $"{n} of {m2ToM1.Length} model-2 filters (both CNNs, all seeds) have a model-1 filter closer than the median S between two untrained CNNs ({f4 baselineMedian}); "
    + $"the farthest model-2 filter is at S = {f4 (List.max m2ToM1)}, the median at {f4 (quantile 0.5 m2ToM1)}."
// not unique at equal accuracy: the same network trained from another seed reaches the same accuracy with other filters
let acrossSeeds =
    if results.Length < 2 then []
    else results |> List.pairwise |> List.collect (fun (a, b) -> closest a.Cnn1 b.Cnn1 @ closest a.Cnn2 b.Cnn2)
let uniqueVerdict =
    match acrossSeeds with
    | [] -> "Needs at least two seeds."
    | s ->
        let spread = results |> List.collect (fun r -> [ r.Cnn1Accuracy; r.Cnn2Accuracy ])
        let accRange = List.max spread - List.min spread
        let rel = quantile 0.5 s / (results |> List.averageBy (fun r -> meanNorm r.Cnn1))
        (if rel > 0.25 && accRange < 0.02 then "Holds: " else "Not shown: ")
        + $"model-1's CNNs from different seeds reach digit accuracies within {f4 accRange} of each other, yet a filter's closest counterpart "
        + $"in the other seed's CNN is at a median S = {f4 (quantile 0.5 s)}, {rel:P0} of a filter's mean norm (the reading needs > 25 %% at accuracies within 0.02)."
// ---- One-to-one matched distances beside S_i, and CKA between the CNNs' layers (issue 12) -------------
// S_i lets several filters take the same counterpart; the assignment gives each its own (FilterMatch).
let matches (pick: SeedResult -> Module * Module) = results |> List.map (fun r -> let a, b = pick r in FilterMatch.Of(a, b))
let matchRows =
    [ for name, pick in comparisons ->
        let per = matches pick
        let matched = per |> List.collect (fun m -> List.ofArray m.Matched)
        [| name; describe (summary (per |> List.map (fun m -> m.MeanNearest))); describe (summary (per |> List.map (fun m -> m.MeanMatched)))
           f4 (quantile 0.5 matched); f4 (List.max matched)
           describe (summary (per |> List.map (fun m -> float m.SharingNearest))) |] ]
let matchedOf pick = matches pick |> List.collect (fun m -> List.ofArray m.Matched)
let baselineMatchedMedian = quantile 0.5 (matchedOf (fun r -> r.Initial[0], r.Initial[1]))
let m2ToM1Matched = matchedOf (fun r -> r.Model2.Cnns[0], r.Cnn1) @ matchedOf (fun r -> r.Model2.Cnns[1], r.Cnn2)
let matchedVerdict =
    let n = m2ToM1Matched |> List.filter (fun v -> v < baselineMatchedMedian) |> List.length
    (if n = m2ToM1Matched.Length then "Holds one to one: " else "Does NOT hold one to one: ")
    + $"{n} of {m2ToM1Matched.Length} model-2 filters keep a model-1 counterpart of their own closer than the median matched distance "
    + $"between two untrained CNNs ({f4 baselineMatchedMedian}); matched median {f4 (quantile 0.5 m2ToM1Matched)} against S's {f4 (quantile 0.5 m2ToM1)}."
// CKA on one fixed probe set: the first image (digit a) of the first test pairs, the same for every CNN
let nProbe = min study.ProbeImages test.Count
let probe = testImages.Batch(Array.init nProbe id, 0).Clone()
/// One seed's CNNs as layer representations of the probe set: model-1's, model-2's, and the untrained CNN1/CNN2.
type SeedRepresentations = { M1: CnnRepresentation * CnnRepresentation; M2: CnnRepresentation * CnnRepresentation; Init: CnnRepresentation * CnnRepresentation }
let representations =
    results |> List.map (fun r ->
        let rep (m: Module) = CnnRepresentation.Of(m, probe)
        { M1 = (rep r.Cnn1, rep r.Cnn2); M2 = (rep r.Model2.Cnns[0], rep r.Model2.Cnns[1]); Init = (rep r.Initial[0], rep r.Initial[1]) })
let ckaLayers = (fst representations.Head.M1).Layers |> Seq.toArray
let ckaComparisons =
    [ "model-1: CNN1 vs CNN2", (fun (x: SeedRepresentations) -> x.M1)
      "model-2: CNN1 vs CNN2", (fun x -> x.M2)
      "CNN1: model-1 vs model-2", (fun x -> fst x.M1, fst x.M2)
      "CNN2: model-1 vs model-2", (fun x -> snd x.M1, snd x.M2)
      "baseline: untrained CNN1 vs untrained CNN2", (fun x -> x.Init)
      "trained CNN1 (model-1) vs its own initial weights", (fun x -> fst x.M1, fst x.Init) ]
let acrossSeedCka debiased =
    representations |> List.pairwise |> List.map (fun (a, b) -> (fst a.M1).Cka(fst b.M1, debiased))
let ckaTable debiased =
    let cells (per: float[] list) = Array.init ckaLayers.Length (fun l -> describe (summary (per |> List.map (fun v -> v[l]))))
    [ for name, (pick: SeedRepresentations -> CnnRepresentation * CnnRepresentation) in ckaComparisons do
        yield Array.append [| name |] (cells (representations |> List.map (fun x -> let a, b = pick x in a.Cka(b, debiased))))
      if representations.Length > 1 then
          yield Array.append [| "model-1 CNN1: seed k vs seed k + 1" |] (cells (acrossSeedCka debiased)) ]
let ckaMean (per: float[] list) (layer: string) =
    let l = Array.IndexOf(ckaLayers, layer)
    per |> List.averageBy (fun v -> v[l])
let ckaOf (pick: SeedRepresentations -> CnnRepresentation * CnnRepresentation) =
    representations |> List.map (fun x -> let a, b = pick x in a.Cka(b, false))
let firstLayer, lastLayer = ckaLayers[0], ckaLayers[ckaLayers.Length - 1]
let ckaCloseVerdict =
    let m2m1 = ckaOf (fun x -> fst x.M1, fst x.M2) @ ckaOf (fun x -> snd x.M1, snd x.M2)
    let untrained = ckaOf (fun x -> x.Init)
    let a, u = ckaMean m2m1 firstLayer, ckaMean untrained firstLayer
    (if a > u then "Beyond chance in activations: " else "Not beyond chance in activations: ")
    + $"the {firstLayer} outputs of a model-2 CNN and the model-1 CNN of its image have CKA {f4 a} on {nProbe} test digits (mean over both CNNs and the seeds), "
    + $"against {f4 u} between two untrained CNNs; at {lastLayer} {f4 (ckaMean m2m1 lastLayer)}."
let ckaUniqueVerdict =
    match acrossSeedCka false with
    | [] -> "Needs at least two seeds."
    | per ->
        let matchedAcross = results |> List.pairwise |> List.collect (fun (a, b) -> List.ofArray (FilterMatch.Of(a.Cnn1, b.Cnn1)).Matched)
        let rel = quantile 0.5 matchedAcross / (results |> List.averageBy (fun r -> meanNorm r.Cnn1))
        let c1, cl = ckaMean per firstLayer, ckaMean per lastLayer
        (if rel > 0.25 && cl > 0.9 then "Holds, and CKA says how: " else "Not shown by matching and CKA: ")
        + $"model-1's CNN1 from consecutive seeds: one-to-one matched filter distance median {f4 (quantile 0.5 matchedAcross)} ({rel:P0} of a filter's mean norm), "
        + $"CKA {f4 c1} at {firstLayer} and {f4 cl} at {lastLayer} (the reading needs > 25 %% apart and CKA > 0.9 at the output: different filters, one function)."
printfn "one to one: %s" matchedVerdict
printfn "CKA, model-2 vs model-1: %s" ckaCloseVerdict
printfn "CKA, not unique: %s" ckaUniqueVerdict
printfn "model-2 filters close to model-1: %s" closeVerdict
printfn "filters not unique: %s" uniqueVerdict

// ---- Report ------------------------------------------------------------------------------------------
let title = "Paper 003: CNN + LSTM composites and their filters" + (if quick then " — quick run" else "")
let report = Report(title)
report.Paragraph(
    "From two MNIST images (a, b) predict c = 2b − a (28 classes). model-1 trains two CNNs as digit classifiers on a and on b, "
    + "then an LSTM (hidden 64, linear onto 28 classes) on the one-hot sequence of their predicted labels; model-2 feeds both CNNs' "
    + "10 outputs as a length-2 sequence into the same kind of LSTM and trains everything end to end on c. "
    + "The CNN is OUR READING of the paper's Figure 2, which is not in its text: conv 16@3×3, ReLU, max-pool 2, dropout 0.25, fc 128, ReLU, fc 10.") |> ignore
report.Heading("Verdict") |> ignore
report.Paragraph("model-2 predicts better than model-1? " + verdict) |> ignore
report.Paragraph("Every model-2 filter has a close filter in model-1? " + closeVerdict) |> ignore
report.Paragraph("Filters are not unique at equal accuracy? " + uniqueVerdict) |> ignore
report.Heading("Table 2: test accuracy") |> ignore
report.Table([| "network"; "ours: mean ± sd"; "95 % interval of the mean"; "per seed"; "paper" |], table2,
             $"{results.Length} seeds; {nTest} test pairs; the paper reports one run.") |> ignore
report.Table([| "measure"; "value" |],
             [ [| "model-2 minus model-1 (LSTM), per seed"; String.Join(" ", differences |> List.map f4) |]
               [| "model-2 minus model-1: mean ± sd, 95 % interval"; $"{describe diff}, {ci diff}" |]
               [| "model-1's LSTM fed the TRUE digits (what its arithmetic alone reaches)"; describe (summary (results |> List.map (fun r -> r.LstmOnTrueDigits))) |] ],
             "Why model-1 can fall short: its LSTM is trained on the CNNs' training-set predictions, nearly all correct.") |> ignore
let first = results.Head
let seedCurves (value: InitLab.Training.TrainingEpoch -> float) =
    [ for name, r in List.zip [ "model-1 CNN1"; "model-1 CNN2"; "model-1 LSTM"; "model-2" ] (List.ofSeq first.Trained) ->
        Series(name, r.Epochs |> Seq.map (fun e -> float e.Epoch) |> Seq.toArray, r.Epochs |> Seq.map value |> Seq.toArray) ]
report.LineChart($"Training loss per epoch (seed {first.Seed})", "epoch", "cross-entropy", seedCurves (fun e -> e.TrainLoss)) |> ignore
report.LineChart($"Validation accuracy per epoch (seed {first.Seed})", "epoch", "accuracy", seedCurves (fun e -> e.Accuracy)) |> ignore
report.Heading("Filters of the first convolution layer") |> ignore
let labels = [| for i in 1 .. cnnSpec.Filters -> $"F{i}" |]
let k = cnnSpec.KernelSize
for name, cnn in [ "model-1 CNN1", first.Cnn1; "model-1 CNN2", first.Cnn2; "model-2 CNN1", first.Model2.Cnns[0]; "model-2 CNN2", first.Model2.Cnns[1] ] do
    report.ImageGrid($"{name} (seed {first.Seed}): 16 filters {k}×{k}", filters cnn |> Array.map (Array.map float32), k, k, labels, ImageScale.Shared) |> ignore
let heat (title: string) (a: Module) (b: Module) (rowName: string) (colName: string) =
    report.Heatmap(title, distances a b, [| for j in 1 .. cnnSpec.Filters -> $"{colName} G{j}" |], [| for i in 1 .. cnnSpec.Filters -> $"{rowName} F{i}" |],
                   "E_ij = ‖F_i − G_j‖₂; S_i is the minimum of row i.") |> ignore
report.Heading($"Figure 4: within each model (seed {first.Seed})") |> ignore
heat "(a) model-1: CNN1 filters (rows) vs CNN2 (columns)" first.Cnn1 first.Cnn2 "CNN1" "CNN2"
heat "(b) model-1: CNN2 vs CNN1" first.Cnn2 first.Cnn1 "CNN2" "CNN1"
heat "(c) model-2: CNN1 vs CNN2" first.Model2.Cnns[0] first.Model2.Cnns[1] "CNN1" "CNN2"
heat "(d) model-2: CNN2 vs CNN1" first.Model2.Cnns[1] first.Model2.Cnns[0] "CNN2" "CNN1"
report.Heading($"Figure 5: across models (seed {first.Seed})") |> ignore
heat "CNN1 of model-1 vs CNN1 of model-2" first.Cnn1 first.Model2.Cnns[0] "m1" "m2"
heat "CNN1 of model-2 vs CNN1 of model-1" first.Model2.Cnns[0] first.Cnn1 "m2" "m1"
heat "CNN2 of model-1 vs CNN2 of model-2" first.Cnn2 first.Model2.Cnns[1] "m1" "m2"
heat "CNN2 of model-2 vs CNN2 of model-1" first.Model2.Cnns[1] first.Cnn2 "m2" "m1"
report.Heading("S_i over all seeds") |> ignore
report.Table([| "comparison (F → G)"; "mean S per seed: mean ± sd"; "median S"; "95th percentile"; "max"; "below the untrained median" |], filterRows,
             $"S_i = min_j ‖F_i − G_j‖₂ pooled over {results.Length} seeds × {cnnSpec.Filters} filters. S lets many F match one G; "
             + "the baseline rows say what 'close' means: two untrained CNNs, and a trained CNN against its own start.") |> ignore
report.Heading("One-to-one matched distances and CKA (issue 12)") |> ignore
report.Paragraph("Every model-2 filter has a close filter in model-1, one to one? " + matchedVerdict) |> ignore
report.Table([| "comparison (F → G)"; "mean S per seed"; "mean matched distance per seed"; "median matched"; "max matched"; "filters sharing a nearest G" |], matchRows,
             $"Matched: the assignment σ minimising Σ_i E_i,σ(i) (each F_i its own G_j), mean ± sd over {results.Length} seeds; it is never below S. "
             + "The last column counts filters whose nearest G another filter took too: where S and the matching part.") |> ignore
report.Paragraph("model-2's CNNs compute what model-1's compute? " + ckaCloseVerdict) |> ignore
report.Paragraph("Filters not unique at equal accuracy (matching and CKA)? " + ckaUniqueVerdict) |> ignore
report.Table(Array.append [| "linear CKA (biased)" |] ckaLayers, ckaTable false,
             $"Kornblith et al. 2019, layer i of one CNN against layer i of the other, on {nProbe} test images (the first digit of the first test pairs), "
             + $"mean ± sd over {results.Length} seeds. Dropout and flatten repeat the layer before them and are left out. "
             + "A 3×3 convolution keeps much of the image's own similarity structure, so conv1 scores near 1 even between untrained CNNs: "
             + "read every row against the baseline rows, not against 1.") |> ignore
report.Table(Array.append [| "linear CKA (debiased)" |] ckaLayers, ckaTable true,
             "The same with the unbiased HSIC (Song et al. 2012): independent features score near 0 at any probe count.") |> ignore
let trained = results |> List.collect (fun r -> List.ofSeq r.Trained)
let fresh = trained |> List.filter (fun a -> not a.Reused)
report.KeyValues("Configuration",
                 [ "seeds", String.Join(", ", study.Seeds); "CNN (our reading)", sprintf "%A" cnnSpec; "LSTM", sprintf "%A" lstmSpec
                   "optimiser", $"SGD lr {o.LearningRate}, batch {o.BatchSize}, {o.Epochs} epochs, cross-entropy"
                   "CKA probe set", $"{nProbe} test images (first digit of the first test pairs)"
                   "batches per epoch", (if o.MaxBatchesPerEpoch = 0 then "all" else string o.MaxBatchesPerEpoch)
                   "initialisation", "PyTorch defaults; model-2's CNNs start from other draws than model-1's"
                   "threads", string o.Threads ] |> pairs) |> ignore
report.KeyValues("Data",
                 [ "root", defaultArg root "NONE: synthetic digits (no real data found)"
                   "parts (pairs)", $"train {train.Count}, validation {validation.Count} ({nVal} monitored), test {test.Count} ({nTest} scored)"
                   "fingerprints", $"{train.Pairs.Fingerprint} / {test.Pairs.Fingerprint}" ] |> pairs) |> ignore
report.KeyValues("Timings",
                 [ "data loading", $"{dataSeconds:F1} s"
                   "estimate before training", (match estimate with Some e -> $"{e.SecondsPerSeed / 60.0:F1} min per seed" | None -> "– (report only)")
                   "networks trained / reused", $"{fresh.Length} / {trained.Length - fresh.Length}"
                   "measured training time per seed", (if fresh.IsEmpty then "– (all reused)" else $"{(fresh |> List.sumBy (fun a -> a.Seconds)) / float results.Length / 60.0:F1} min")
                   "training time per seed as recorded in the store", $"{(trained |> List.sumBy (fun a -> a.Seconds)) / float results.Length / 60.0:F1} min"
                   "model-2 training throughput", (match estimate with Some e -> $"{float o.BatchSize / e.Model2StepSeconds:F0} pairs/s" | None -> "–")
                   "total wall time", $"{clock.Elapsed.TotalSeconds:F1} s"
                   "run store", IO.Path.GetFullPath storePath ] |> pairs) |> ignore
let reportPath = report.Save(IO.Path.Combine(outDir, "report.html"))
runs.Dispose()
printfn "report: %s (%.1f s)" reportPath clock.Elapsed.TotalSeconds
