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
open InitLab.Host.Tests.Store.StoreTestSupport
open InitLab.Host.Tests.Studies.LeNetStudyTests
open InitLab.Host.Tests.Support.RepoRoot

let private mnistLike () = TrainTestSplit(SyntheticDigits.Generate(60, 1), SyntheticDigits.Generate(10, 2))

/// A small CNN with dropout on 28×28 digits, trained on channel 0 of the pairs for their first digit.
let private tinyCnn (seed: int) = SequenceNets.DigitCnn({ DigitCnnSpec.Paper with Filters = 2; Hidden = 8 }, Generator seed) :> Module

let private trainTiny (model: Module) (part: SequencePart) (epochs: int) (checkpoint: string) =
    let images = PairImages(part.Pairs)
    let options = SequenceTrainingOptions(epochs, 16, 0.05, 3, 1, CheckpointPath = checkpoint)
    SequenceTraining.Train(model, part.Count, Func<_, _>(fun idx -> model.Forward(images.Batch(idx, 0)).CrossEntropy(idx |> Array.map (fun i -> part.First[i]))), options)

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
            Expect.equal r2.ResumedFrom 1 "resumed after epoch 1"
            Expect.equal r2.Epochs.Count 2 "both epochs reported"
            Expect.equal r2.Epochs[1].TrainLoss r.Epochs[1].TrainLoss "the resumed epoch saw the same batches and masks"
            Expect.equal (bits again) (bits straight) "same weights"
            Expect.notEqual (bits again) (bits (tinyCnn 5)) "training moved them"
        }
        test "a NaN loss stops training with the step named; impossible options are refused" {
            let m = tinyCnn 6
            let ex = throwsOf<InitLab.Training.NonFiniteLossException> (fun () ->
                        SequenceTraining.Train(m, 10, Func<_, _>(fun _ -> Tensor.Scalar(nan).RequireGrad()), SequenceTrainingOptions(1, 4, 0.1, 0, 1)) |> ignore)
            Expect.equal ex.Iteration 1 "names the step"
            Expect.throwsT<ArgumentException> (fun () -> SequenceTrainingOptions(0, 4, 0.1, 0, 1).Validate()) "zero epochs"
            Expect.throwsT<ArgumentException> (fun () -> SequenceTrainingOptions(1, 4, -1.0, 0, 1).Validate()) "negative rate"
        }
        test "exp_sequence.fsx --quick writes Table 2, the filter figures and the verdicts, renders in Chromium, and a rerun reuses every run" {
            use dir = new TempDir()
            let out = dir.File "sequence"
            let run () =
                let p = startDotnet [ "fsi"; "--optimize+"; Path.Combine(requireRepoRoot (), "scripts", "exp_sequence.fsx"); "--quick"; "--out"; out ]
                let stdout = p.StandardOutput.ReadToEndAsync()
                let stderr = p.StandardError.ReadToEndAsync()
                if not (p.WaitForExit(TimeSpan.FromMinutes 8.0)) then
                    p.Kill true
                    failtest "exp_sequence.fsx --quick did not finish in 8 minutes"
                Expect.equal p.ExitCode 0 $"exit code; stderr:\n{stderr.Result}\nstdout:\n{stdout.Result}"
                stdout.Result
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
