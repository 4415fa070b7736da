/// Resuming from a checkpoint taken mid-epoch: the batch order of the interrupted epoch must carry on where
/// it stopped (the boundary case alone cannot tell a resumed epoch from a restarted one).
module InitLab.Host.Tests.Training.MidEpochResumeTests

open Expecto
open InitLab.Store
open InitLab.Training
open InitLab.Host.Tests.Store.StoreTestSupport
open InitLab.Host.Tests.Training.TrainerTests

[<Tests>]
let tests =
    testList "training.resume mid-epoch" [
        test "a run checkpointed mid-epoch resumes bit for bit as if never interrupted" {
            let train, test = data.Value
            let batch = 32
            let perEpoch = train.Count / batch // 20 iterations per epoch of the 640 synthetic digits
            for stop in [ 7; perEpoch + 13 ] do
                Expect.notEqual (stop % perEpoch) 0 $"iteration {stop} is inside an epoch"
                use dir = new TempDir()
                let total = 2 * perEpoch + 5
                let straight = lenet 3
                let r1 = Trainer(straight, "caffe-lenet", optionsWith total null 0 batch).Run(train, test)
                let ckpt = dir.File "mid.safetensors"
                Trainer(lenet 3, "caffe-lenet", optionsWith stop ckpt 0 batch).Run(train) |> ignore
                Expect.equal (Checkpoint.Load ckpt).Iteration (int64 stop) $"checkpoint at iteration {stop}"
                let resumed = lenet 99
                let r2 = Trainer(resumed, "caffe-lenet", optionsWith total ckpt 0 batch).Run(train, test)
                Expect.equal r2.ResumedFrom stop "resumed from the checkpoint's iteration"
                Expect.equal (Seq.toList r2.Losses) (r1.Losses |> Seq.skip stop |> Seq.toList) $"stopped at {stop}: same losses after the resume point"
                Expect.isTrue (identical (parameters straight) (parameters resumed)) $"stopped at {stop}: bit-identical weights"
        }
    ]
