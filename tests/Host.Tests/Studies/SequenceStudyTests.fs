module InitLab.Host.Tests.Studies.SequenceStudyTests

open System
open System.IO
open Expecto
open InitLab.Data
open InitLab.Kernel
open InitLab.Kernel.Nn
open InitLab.Reports
open InitLab.Statistics
open InitLab.Store
open InitLab.Studies.Sequence
open InitLab.Training
open InitLab.Host.Tests.Store.StoreTestSupport
open InitLab.Host.Tests.Studies.LeNetStudyTests
open InitLab.Host.Tests.Support

let private mnistLike () = TrainTestSplit(SyntheticDigits.Generate(60, 1), SyntheticDigits.Generate(10, 2))

/// A small CNN with dropout on 28×28 digits, trained on channel 0 of the pairs for their first digit.
let private tinyCnn (seed: int) = SequenceNets.DigitCnn({ DigitCnnSpec.Paper with Filters = 2; Hidden = 8 }, Generator seed) :> Module

/// Batches per epoch of `trainTiny` (batch 16).
let private perEpoch (part: SequencePart) = TrainingOptions(BatchSize = 16).BatchesPerEpoch(part.Count)

let private trainTiny (model: Module) (part: SequencePart) (epochs: int) (checkpoint: string) =
    let images = PairImages(part.Pairs)
    let options = TrainingOptions(Iterations = epochs * perEpoch part, BatchSize = 16, DataSeed = 3, Threads = 1, CheckpointPath = checkpoint,
                                  CheckpointInterval = perEpoch part, Progress = ProgressMode.Silent)
    let loss = Func<int[], Tensor>(fun idx -> model.Forward(images.Batch(idx, 0)).CrossEntropy(idx |> Array.map (fun i -> part.First[i])))
    let objective = Objective.OfIndices(loss, fun m _ it -> Evaluator.Evaluate(m, 10, Func<_, _>(fun idx -> images.Batch(idx, 0)), part.First, it))
    Trainer(model, "sgd lr=0.05", options, objective).Run(part.Pairs)

/// The float32 values of parameter `name` of `m`, writable in place.
let private values (m: Module) (name: string) = (m.NamedParameters |> Array.find (fun (n, _) -> n = name) |> snd).Raw.DataArray :?> float32[]

/// `m` with its two conv1 channels swapped, and fc1's inputs with them: the same function, its filters in another order.
let private swappedChannels (m: Module) =
    let c = m.Clone()
    let swap (a: float32[]) (i: int) (j: int) = let t = a[i] in a[i] <- a[j]; a[j] <- t
    let w, b, fc = values c "conv1.weight", values c "conv1.bias", values c "fc1.weight"
    let per = w.Length / 2
    for k in 0 .. per - 1 do swap w k (per + k)
    swap b 0 1
    let inputs = fc.Length / 8 // Hidden = 8 rows of 2 channels × 13 × 13
    let plane = inputs / 2
    for row in 0 .. 7 do
        for k in 0 .. plane - 1 do swap fc (row * inputs + k) (row * inputs + plane + k)
    c

let private bits (m: Module) = m.Parameters |> Array.map (fun p -> p.ToFloat32Array())

[<Tests>]
let tests =
    testSequenced <| testList "studies.sequence" [
        test "each pair's recovered digits give its label c = 2b − a + 9, and channel 0 shows digit a" {
            let mnist = mnistLike ()
            let p = SequencePairs.Build(mnist, 42, 18)
            Expect.equal (p.Train.Count, p.Validation.Count, p.Test.Count) (84, 36, 20) "each part doubles its images"
            for part in [ p.Train; p.Validation; p.Test ] do
                for k in 0 .. part.Count - 1 do
                    Expect.equal part.Pairs.Labels[k] (2 * part.Second[k] - part.First[k] + 9) $"{part.Pairs.Name} pair {k}"
            // channel 0 of train pair 0 is MNIST image 0, whose label is First[0]
            Expect.equal p.Train.First[0] mnist.Train.Labels[0] "first digit"
            let x = PairImages(p.Train.Pairs).Batch([| 0 |], 0).ToFloat32Array()
            Expect.equal x (mnist.Train.Image(0).ToArray() |> Array.map (fun b -> float32 b * (1.0f / 255.0f))) "pixels scaled to [0, 1]"
            Expect.throwsT<ArgumentOutOfRangeException> (fun () -> PairImages(p.Train.Pairs).Batch([| 0 |], 2) |> ignore) "no channel 2"
        }
        test "E_ij is the Euclidean distance of filters, S_i its row minimum; mismatched sizes are refused" {
            let f = [| [| 0.0; 0.0 |]; [| 3.0; 4.0 |] |]
            let g = [| [| 3.0; 0.0 |]; [| 3.0; 4.0 |]; [| 0.0; 1.0 |] |]
            let e = FilterDistances.Matrix(f, g)
            Expect.equal e[1, 0] 4.0 "‖(3,4) − (3,0)‖"
            Expect.equal e[0, 1] 5.0 "‖(0,0) − (3,4)‖"
            Expect.equal (FilterDistances.Closest e) [| 1.0; 0.0 |] "S = row minima"
            let t = FilterDistances.Transpose e
            Expect.equal t[2, 1] e[1, 2] "transpose"
            let ex = Expect.throwsC (fun () -> FilterDistances.Matrix(f, [| [| 1.0 |] |]) |> ignore) id
            Expect.stringContains ex.Message "has 2 values" "names the sizes"
        }
        test "one-to-one matching: never below S_i, each filter its own counterpart, a swapped copy matched at distance 0" {
            let a = tinyCnn 7
            let m = FilterMatch.Of(a, swappedChannels a)
            Expect.equal m.Assignment [| 1; 0 |] "filter 0 is the copy's filter 1"
            Expect.equal m.Matched [| 0.0; 0.0 |] "matched at distance 0"
            // two filters near the same counterpart: S lets both take it, the matching cannot
            let f, g = tinyCnn 8, tinyCnn 9
            let wf, wg = values f "conv1.weight", values g "conv1.weight"
            let per = wf.Length / 2
            for k in 0 .. per - 1 do
                wg[k] <- wf[k]
                wf[per + k] <- wf[k] + 0.01f
                wg[per + k] <- 5.0f
            let m2 = FilterMatch.Of(f, g)
            Expect.equal m2.NearestIndex [| 0; 0 |] "both pick G0"
            Expect.equal m2.SharingNearest 1 "one filter reuses a counterpart"
            Expect.equal (m2.Assignment |> Array.distinct).Length 2 "the matching gives each its own"
            for i in 0 .. 1 do Expect.isGreaterThanOrEqual m2.Matched[i] m2.Nearest[i] $"matched ≥ S for filter {i}"
            Expect.isGreaterThan m2.MeanMatched (m2.MeanNearest + 1.0) "the matching pays for the shared counterpart"
            let ex = Expect.throwsC (fun () -> FilterMatch.Of(f, Sequential [ "fc", Linear(2, 2) :> Module ]) |> ignore) id
            Expect.stringContains ex.Message "conv1.weight" "names what is missing"
        }
        test "CKA by layer: 1 at every layer against itself and a channel-swapped copy, below 1 against another draw; mismatched probes refused" {
            let p = SequencePairs.Build(mnistLike (), 42, 18)
            let probe = PairImages(p.Train.Pairs).Batch(Array.init 40 id, 0).Clone()
            let a = tinyCnn 7
            let ra = CnnRepresentation.Of(a, probe)
            Expect.sequenceEqual ra.Layers [ "conv1"; "relu1"; "pool1"; "fc1"; "relu2"; "fc2" ] "dropout and flatten left out"
            for name, other in [ "itself", a; "swapped copy", swappedChannels a ] do
                for debiased in [ false; true ] do
                    for v in ra.Cka(CnnRepresentation.Of(other, probe), debiased) do
                        Expect.floatClose Accuracy.medium v 1.0 $"{name}, debiased {debiased}"
            let other = ra.Cka(CnnRepresentation.Of(tinyCnn 8, probe))
            Expect.isLessThan other[0] 0.999 "another draw's conv1 differs"
            Expect.isTrue (a.IsTraining) "the model's training flag is restored"
            let fewer = CnnRepresentation.Of(a, PairImages(p.Train.Pairs).Batch(Array.init 30 id, 0).Clone())
            let ex = Expect.throwsC (fun () -> ra.Cka(fewer) |> ignore) id
            Expect.stringContains ex.Message "probes" "names the probe counts"
        }
        test "SampleSummary: mean, sample sd and the t interval; refuses NaN naming its position" {
            let s = SampleSummary.Of [| 1.0; 2.0; 3.0; 4.0 |]
            Expect.equal (s.N, s.Mean) (4, 2.5) "n and mean"
            Expect.floatClose Accuracy.high s.StdDev (sqrt (5.0 / 3.0)) "n − 1 denominator"
            // t(0.975, 3) = 3.18245
            Expect.floatClose Accuracy.medium s.High95 (2.5 + 3.182446305 * sqrt (5.0 / 3.0) / 2.0) "upper end"
            Expect.isTrue (Double.IsNaN (SampleSummary.Of [| 1.0 |]).StdDev) "one value has no spread"
            let ex = Expect.throwsC (fun () -> SampleSummary.Of [| 1.0; nan |] |> ignore) id
            Expect.stringContains ex.Message "values[1]" "names the position"
        }
        test "training resumed from an epoch checkpoint ends bit for bit where an uninterrupted run ends (dropout included)" {
            use dir = new TempDir()
            let part = (SequencePairs.Build(mnistLike (), 42, 18)).Train
            let straight = tinyCnn 5
            let r = trainTiny straight part 2 null
            Expect.equal r.Epochs.Count 2 "two epochs"
            let resumed = tinyCnn 5
            let ckpt = dir.File "run.safetensors"
            trainTiny resumed part 1 ckpt |> ignore
            let again = tinyCnn 5 // a fresh process would start from scratch and find the checkpoint
            let r2 = trainTiny again part 2 ckpt
            Expect.equal (r2.ResumedFrom / perEpoch part) 1 "resumed after epoch 1"
            Expect.equal r2.Epochs.Count 2 "both epochs reported"
            Expect.equal r2.Epochs[1].TrainLoss r.Epochs[1].TrainLoss "the resumed epoch saw the same batches and masks"
            Expect.equal (bits again) (bits straight) "same weights"
            Expect.notEqual (bits again) (bits (tinyCnn 5)) "training moved them"
        }
        test "a NaN loss stops training with the step named; impossible options are refused" {
            let m = tinyCnn 6
            let nanLoss = Objective.OfIndices(Func<_, _>(fun _ -> Tensor.Scalar(nan).RequireGrad()), fun _ _ _ -> failwith "no evaluation")
            let ex = throwsOf<InitLab.Training.NonFiniteLossException> (fun () ->
                        Trainer(m, "sgd lr=0.1", TrainingOptions(Iterations = 3, BatchSize = 4, Threads = 1), nanLoss).Run(SyntheticDigits.Generate(10, 1)) |> ignore)
            Expect.equal ex.Iteration 1 "names the step"
            Expect.throwsT<ArgumentException> (fun () -> SequenceStudyOptions(Epochs = 0).Validate()) "zero epochs"
            Expect.throwsT<ArgumentException> (fun () -> SequenceStudyOptions(LearningRate = -1.0).Validate()) "negative rate"
        }
        test "exp_sequence.fsx --quick writes Table 2, the filter figures and the verdicts, renders in Chromium, and a rerun reuses every run" {
            use dir = new TempDir()
            let out = dir.File "sequence"
            let run () = StudyScript.runQuick "exp_sequence" out 8.0
            let stdout = run ()
            Expect.stringContains stdout "estimate:" "prints an estimate"
            Expect.stringContains stdout "Table 2: model-2 (c, end to end)" "prints Table 2"
            let html = File.ReadAllText(Path.Combine(out, "report.html"))
            for heading in [ "Table 2: test accuracy"; "Figure 4: within each model"; "Figure 5: across models"; "S_i over all seeds"
                             "model-2 predicts better than model-1?"; "One-to-one matched distances and CKA (issue 12)"; "our reading".ToUpperInvariant() ] do
                Expect.stringContains html heading heading
            for paper in [ "0.982"; "0.983"; "0.494"; "0.867" ] do Expect.stringContains html $">{paper}</td>" $"paper's {paper} beside ours"
            Expect.equal (html.Split("<figure class=\"tile\">").Length - 1) 64 "16 filters of each of the 4 CNNs"
            let shot = BrowserCheck.Render(Path.Combine(out, "report.html"), dir.File "sequence.png").EnsureRendered()
            Expect.equal shot.PlotsDrawn 10 "2 curves + 4 + 4 heatmaps drew"
            run () |> ignore
            use store = RunStore.Open(Path.Combine(out, "runs.db"))
            Expect.equal (store.GetRuns "seq003").Count 8 "4 networks × 2 seeds, none added by the rerun"
            Expect.stringContains (File.ReadAllText(Path.Combine(out, "report.html"))) "<td>0 / 8</td>" "the rerun trained nothing"
        }
    ]
