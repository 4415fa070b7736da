module InitLab.Host.Tests.Training.TrainerScheduleTests

open System
open Expecto
open InitLab.Data
open InitLab.Kernel
open InitLab.Kernel.Nn
open InitLab.Kernel.Optim
open InitLab.Store
open InitLab.Training
open InitLab.Host.Tests.Store.StoreTestSupport

let private data = lazy (SyntheticDigits.Generate(640, 21), SyntheticDigits.Generate(100, 22))
let private net (seed: int) = Models.Create("twolayer", Generator(seed))
let private opts iterations =
    TrainingOptions(Iterations = iterations, BatchSize = 32, DataSeed = 3, Threads = 1, Progress = ProgressMode.Silent)
let private bits (m: Module) = m.Parameters |> Array.collect (fun p -> p.ToFloat32Array() |> Array.map BitConverter.SingleToInt32Bits)

[<Tests>]
let tests =
    testList "training.schedule" [
        test "a stop rule ends training below the cap, evaluating and checkpointing at that iteration" {
            use dir = new TempDir()
            let train, test = data.Value
            let ckpt = dir.File "stop.safetensors"
            let rule = StopRule.When(fun c -> if c.Iteration = 7 then "seven is enough" else null)
            let r = Trainer(net 1, "sgd lr=0.1", TrainingOptions(Iterations = 50, BatchSize = 32, DataSeed = 3, Threads = 1, Progress = ProgressMode.Silent, StopRule = rule, CheckpointPath = ckpt)).Run(train, test)
            Expect.equal r.Losses.Count 7 "seven iterations"
            Expect.equal r.StopReason "seven is enough" "the rule's reason"
            Expect.equal (r.Evaluations |> Seq.map _.Iteration |> Seq.toList) [ 7 ] "evaluated at the stop"
            Expect.equal (Checkpoint.Load ckpt).Iteration 7L "checkpoint at the stop"
        }
        test "LossConverged stops once the windowed mean settles and never with tolerance 0 on a moving loss" {
            let train, _ = data.Value
            let loose = Trainer(net 2, "sgd lr=0.1", TrainingOptions(Iterations = 40, BatchSize = 32, DataSeed = 3, Threads = 1, Progress = ProgressMode.Silent, StopRule = StopRule.LossConverged(5, 10.0))).Run(train)
            Expect.equal loose.Losses.Count 10 "stops at the first check (two windows of 5)"
            Expect.stringContains loose.StopReason "converged" "says why"
            let strict = Trainer(net 2, "sgd lr=0.1", TrainingOptions(Iterations = 20, BatchSize = 32, DataSeed = 3, Threads = 1, Progress = ProgressMode.Silent, StopRule = StopRule.LossConverged(5, 0.0))).Run(train)
            Expect.equal strict.Losses.Count 20 "runs to the cap"
            Expect.isNull strict.StopReason "no early stop"
            Expect.throwsT<ArgumentException> (fun () -> StopRule.LossConverged(0, 0.1) |> ignore) "window 0"
            Expect.throwsT<ArgumentException> (fun () -> StopRule.LossConverged(5, nan) |> ignore) "NaN tolerance"
        }
        test "every-epoch evaluation with one before the first step, on the test set and the training probe" {
            let train, test = data.Value
            let probe = train.Subset([| 0 .. 99 |])
            let r = Trainer(net 3, "sgd lr=0.1", TrainingOptions(Iterations = 45, BatchSize = 32, DataSeed = 3, Threads = 1, Progress = ProgressMode.Silent, EvaluateEveryEpoch = true, EvaluateAtStart = true)).Run(train, test, trainProbe = probe)
            Expect.equal (r.Evaluations |> Seq.map _.Iteration |> Seq.toList) [ 0; 20; 40; 45 ] "640 / 32 = 20 per epoch, and the end"
            Expect.equal (r.TrainEvaluations |> Seq.map _.Iteration |> Seq.toList) [ 0; 20; 40; 45 ] "probe at the same iterations"
            Expect.equal r.TrainEvaluations[0].Count 100 "probe size"
        }
        test "a user objective computes the loss from the batch and scores the model" {
            let train, test = data.Value
            let mutable evaluations = 0
            let objective =
                Objective((fun m b -> Objective.CrossEntropyLoss(m, b) * 2.0),
                          (fun m d i -> evaluations <- evaluations + 1; Evaluator.Evaluate(m, d, PixelScale.Caffe256, 50, i)))
            let custom = Trainer(net 4, "sgd lr=0.1", TrainingOptions(Iterations = 5, BatchSize = 32, DataSeed = 3, Threads = 1, Progress = ProgressMode.Silent, TestInterval = 2), objective).Run(train, test)
            let plain = Trainer(net 4, "sgd lr=0.1", opts 5).Run(train)
            Expect.equal custom.Losses[0] (2.0 * plain.Losses[0]) "the first loss is the user's function of the same batch"
            Expect.equal evaluations 3 "evaluated at 2, 4 and 5 by the user's function"
        }
        test "an optimiser built by Optimizers.Adam trains exactly as its spec string does" {
            let train, _ = data.Value
            let a, b = net 5, net 5
            Trainer(a, Optimizers.Adam(a, lr = 1e-3), opts 6).Run(train) |> ignore
            Trainer(b, "adam lr=0.001", opts 6).Run(train) |> ignore
            Expect.sequenceEqual (bits a) (bits b) "bit-identical"
        }
        test "the run's thread count is scoped: the caller's count is back afterwards" {
            let train, _ = data.Value
            let before = Threads.Count
            Trainer(net 6, "sgd lr=0.1", TrainingOptions(Iterations = 2, BatchSize = 32, DataSeed = 3, Threads = before % 2 + 1, Progress = ProgressMode.Silent)).Run(train) |> ignore
            Expect.equal Threads.Count before "restored"
        }
        test "an epoch cap keeps the first batches of each shuffled epoch; epoch records survive a resume mid-epoch bit for bit" {
            use dir = new TempDir()
            let train, test = data.Value
            // 640 images at batch 32 are 20 batches; the cap makes an epoch 3, so 8 iterations are 2 epochs and 2 batches
            let capped iterations = TrainingOptions(Iterations = iterations, BatchSize = 32, DataSeed = 3, Threads = 1, Progress = ProgressMode.Silent, MaxBatchesPerEpoch = 3, EvaluateEveryEpoch = true)
            let uninterrupted = net 7
            let straight = Trainer(uninterrupted, "sgd lr=0.1", capped 8).Run(train, test)
            Expect.equal (straight.Evaluations |> Seq.map _.Iteration |> Seq.toList) [ 3; 6; 8 ] "evaluated at each capped epoch's end and at the end"
            Expect.equal [ for e in straight.Epochs -> e.Epoch, e.Iteration, e.Batches ] [ 1, 3, 3; 2, 6, 3; 3, 8, 2 ] "two epochs and the partial third"
            Expect.equal straight.Epochs[0].TrainLoss (Seq.average (Seq.take 3 straight.Losses)) "an epoch's loss is the mean of its batches"
            Expect.equal straight.Epochs[1].Accuracy straight.Evaluations[1].Accuracy "the evaluation at its end"
            // epoch 2 starts with epoch 2's order, not with batch 4 of epoch 1's
            let order = Batches.Order(train.Count, BatchOptions(32, Seed = 3), 1)
            let seen = Collections.Generic.List<int[]>()
            let spy = Objective((fun m b -> (if b.Epoch = 1 && b.Number = 0 then seen.Add(Array.copy b.Indices)); Objective.CrossEntropyLoss(m, b)), Objective.Classification(PixelScale.Caffe256).Evaluate)
            Trainer(net 7, "sgd lr=0.1", capped 4, spy).Run(train) |> ignore
            Expect.equal seen[0] order[0 .. 31] "epoch 2's first batch"
            // stopped at 4 (mid-epoch 2), resumed to 8: the same epochs, the same weights
            let ckpt = dir.File "cap.safetensors"
            let withCkpt n = TrainingOptions(Iterations = n, BatchSize = 32, DataSeed = 3, Threads = 1, Progress = ProgressMode.Silent, MaxBatchesPerEpoch = 3, EvaluateEveryEpoch = true, CheckpointPath = ckpt, CheckpointInterval = 2)
            let a = net 7
            Trainer(a, "sgd lr=0.1", withCkpt 4).Run(train, test) |> ignore
            let b = net 7
            let resumed = Trainer(b, "sgd lr=0.1", withCkpt 8).Run(train, test)
            Expect.equal resumed.ResumedFrom 4 "resumed mid-epoch"
            Expect.equal [ for e in resumed.Epochs -> e.Epoch, e.Iteration, e.Batches, e.TrainLoss, e.Accuracy ]
                         [ for e in straight.Epochs -> e.Epoch, e.Iteration, e.Batches, e.TrainLoss, e.Accuracy ] "every epoch reported as uninterrupted"
            Expect.equal (bits b) (bits uninterrupted) "same weights"
            Expect.throwsT<ArgumentException> (fun () -> TrainingOptions(MaxBatchesPerEpoch = -1).Validate()) "a negative cap is refused"
        }
    ]
