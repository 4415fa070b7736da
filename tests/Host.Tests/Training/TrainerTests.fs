module InitLab.Host.Tests.Training.TrainerTests

open System
open System.IO
open Expecto
open InitLab.Data
open InitLab.Kernel
open InitLab.Kernel.Nn
open InitLab.Store
open InitLab.Training
open InitLab.Host.Tests.Store.StoreTestSupport

let data = lazy (SyntheticDigits.Generate(640, 11), SyntheticDigits.Generate(200, 12))

let optionsWith (iterations: int) (checkpoint: string) (interval: int) (batch: int) =
    TrainingOptions(Iterations = iterations, BatchSize = batch, DataSeed = 5, Threads = 2, Progress = ProgressMode.Silent,
                    CheckpointPath = checkpoint, CheckpointInterval = interval)

let options iterations = optionsWith iterations null 0 32

let lenet (seed: int) = Models.Create("lenet5", Generator(seed))

let parameters (m: InitLab.Kernel.Nn.Module) = m.SaveParameters()

let identical (a: InitLab.Kernel.StateBuffer seq) (b: InitLab.Kernel.StateBuffer seq) = Seq.forall2 (fun (x: InitLab.Kernel.StateBuffer) y -> x.Equals y) a b

[<Tests>]
let tests =
    testList "training.trainer" [
        test "a resumed run continues bit for bit as if never interrupted" {
            use dir = new TempDir()
            let train, test = data.Value
            let straight = lenet 3
            let r1 = Trainer(straight, "caffe-lenet", options 40).Run(train, test)
            let ckpt = dir.File "half.safetensors"
            let first = lenet 3
            Trainer(first, "caffe-lenet", (optionsWith 20 ckpt 0 32)).Run(train) |> ignore
            // a new process would start from fresh weights (another seed even) and the checkpoint
            let resumed = lenet 99
            let r2 = Trainer(resumed, "caffe-lenet", (optionsWith 40 ckpt 0 32)).Run(train, test)
            Expect.equal r2.ResumedFrom 20 "resumed from the checkpoint's iteration"
            Expect.equal (Seq.toList r2.Losses) (r1.Losses |> Seq.skip 20 |> Seq.toList) "same losses after the resume point"
            Expect.isTrue (identical (parameters straight) (parameters resumed)) "bit-identical weights"
        }
        test "a resumed run of a network with dropout draws the uninterrupted run's masks (generator positions are checkpointed)" {
            use dir = new TempDir()
            let train, _ = data.Value
            let cnn (seed: int) = Models.Create("digitcnn003", Generator(seed))
            let straight = cnn 3
            let r1 = Trainer(straight, "sgd lr=0.05", options 16).Run(train)
            let ckpt = dir.File "dropout.safetensors"
            Trainer(cnn 3, "sgd lr=0.05", (optionsWith 8 ckpt 0 32)).Run(train) |> ignore
            Expect.isNonEmpty (Checkpoint.Load ckpt).GeneratorState "the checkpoint holds the dropout generator"
            // another seed: its dropout generator starts elsewhere, so only the checkpoint can put it back
            let resumed = cnn 99
            let r2 = Trainer(resumed, "sgd lr=0.05", (optionsWith 16 ckpt 0 32)).Run(train)
            Expect.equal r2.ResumedFrom 8 "resumed"
            Expect.equal (Seq.toList r2.Losses) (r1.Losses |> Seq.skip 8 |> Seq.toList) "same losses after the resume point"
            Expect.isTrue (identical (parameters straight) (parameters resumed)) "bit-identical weights"
            // a checkpoint without generator state cannot resume a network with dropout silently
            let saved = Checkpoint.Load ckpt
            let stripped = dir.File "stripped.safetensors"
            Checkpoint.Save(stripped, CheckpointData(saved.Iteration, saved.Parameters, saved.OptimizerState, [], saved.Metadata))
            let ex = Expect.throwsC (fun () -> Trainer(cnn 3, "sgd lr=0.05", (optionsWith 16 stripped 0 32)).Run(train) |> ignore) id
            Expect.stringContains ex.Message "dropout layer 'dropout1'" "names the layer"
            Expect.stringContains ex.Message stripped "names the file"
        }
        test "same seeds and thread count give bit-identical weights" {
            let train, _ = data.Value
            let a, b = lenet 4, lenet 4
            Trainer(a, "adam lr=0.001", options 15).Run(train) |> ignore
            Trainer(b, "adam lr=0.001", options 15).Run(train) |> ignore
            Expect.isTrue (identical (parameters a) (parameters b)) "identical"
            let c = lenet 5
            Trainer(c, "adam lr=0.001", options 15).Run(train) |> ignore
            Expect.isFalse (identical (parameters a) (parameters c)) "another seed differs"
        }
        test "a diverging run stops with a clear error and keeps the last good checkpoint" {
            use dir = new TempDir()
            let train, _ = data.Value
            let ckpt = dir.File "guard.safetensors"
            let model = lenet 6
            Trainer(model, "sgd lr=0.01", optionsWith 5 ckpt 1 32).Run(train) |> ignore
            let good = File.ReadAllBytes ckpt
            let outcome =
                try
                    Trainer(model, "sgd lr=1e30", optionsWith 200 ckpt 1 32).Run(train) |> ignore
                    None
                with :? NonFiniteLossException as x -> Some x
            match outcome with
            | None -> failtest "expected the run to diverge"
            | Some x ->
                Expect.stringStarts x.Message $"diverged at iteration {x.Iteration}" "names the iteration"
                Expect.stringContains x.Message ckpt "names the checkpoint kept"
                Expect.equal (File.ReadAllBytes ckpt) good "nothing from after the first bad step overwrote the last good checkpoint"
                let saved = Checkpoint.Load ckpt
                Expect.equal saved.Iteration 5L "the checkpoint is the good run's last"
        }
        test "impossible options and solver specs are clear errors" {
            let m = lenet 1
            let bad = Expect.throwsT<ArgumentException>
            bad (fun () -> Trainer(m, "caffe-lenet", options 0) |> ignore) "iterations 0"
            bad (fun () -> Trainer(m, "caffe-lenet", (optionsWith 10 null 0 -1)) |> ignore) "batch -1"
            let msg = try Trainer(m, "sgd:0.9 lr=abc", options 10) |> ignore; "" with :? ArgumentException as e -> e.Message
            Expect.stringContains msg "abc" "names the bad value"
        }
        test "evaluation counts correct predictions on every image" {
            let train, test = data.Value
            let m = lenet 7
            Trainer(m, "caffe-lenet", options 60).Run(train) |> ignore
            let e = Evaluator.Evaluate(m, test, PixelScale.Caffe256, 64)
            Expect.equal e.Count test.Count "every image"
            Expect.isGreaterThan e.Accuracy 0.3 "learns the synthetic digits beyond chance (0.1)"
            Expect.isTrue (m.IsTraining) "training mode restored"
        }
    ]
