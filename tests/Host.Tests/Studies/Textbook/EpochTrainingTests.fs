module InitLab.Host.Tests.Studies.Textbook.EpochTrainingTests

open Expecto
open InitLab.Data
open InitLab.Kernel
open InitLab.Kernel.Nn
open InitLab.Studies
open InitLab.Training

let data = lazy (SyntheticDigits.Generate(400, 11), SyntheticDigits.Generate(100, 12))
let make iterations perEpoch trainEvaluation =
    EpochTrainingOptions(Iterations = iterations, BatchSize = 20, IterationsPerEpoch = perEpoch, DataSeed = 3, Threads = 1, TrainEvaluationCount = trainEvaluation)
let options = make 25 10 0
let run (o: EpochTrainingOptions) =
    let train, test = data.Value
    EpochTraining.Run(Models.Create("twolayer", Generator(5)), "adam lr=0.01", train, test, o)

[<Tests>]
let tests =
    testSequenced <| testList "Textbook.EpochTraining" [
        testCase "evaluates before training, every epoch and at the end" <| fun () ->
            let r = run options
            Expect.equal r.Losses.Count 25 "one loss per step"
            Expect.equal (r.Epochs |> Seq.map (fun e -> e.Iteration) |> List.ofSeq) [ 0; 10; 20; 25 ] "evaluation points"
            Expect.equal (r.Epochs |> Seq.map (fun e -> e.Epoch) |> List.ofSeq) [ 0; 1; 2; 3 ] "epoch numbers"
            Expect.isLessThan r.Final.TrainLoss r.Epochs[0].TrainLoss "training lowered the training loss"
            for e in r.Epochs do
                Expect.isTrue (e.TrainAccuracy >= 0.0 && e.TrainAccuracy <= 1.0 && e.TestAccuracy >= 0.0 && e.TestAccuracy <= 1.0) "accuracies are fractions"

        testCase "the book's epoch is train size / batch size" <| fun () ->
            let r = run (make 40 0 0)
            Expect.equal (r.Epochs |> Seq.map (fun e -> e.Iteration) |> List.ofSeq) [ 0; 20; 40 ] "400 / 20 = 20 steps per epoch"

        testCase "same seeds and threads give bit-identical losses" <| fun () ->
            let a, b = run options, run options
            Expect.sequenceEqual a.Losses b.Losses "mini-batch losses"
            Expect.equal a.Final b.Final "final evaluation"

        testCase "training metrics can be taken on the first images only" <| fun () ->
            let train, test = data.Value
            let r = EpochTraining.Run(Models.Create("twolayer", Generator(5)), "adam lr=0.01", train, test, make 25 10 50)
            let firstFifty = Evaluator.Evaluate(Models.Create("twolayer", Generator(5)), train.Subset([| 0 .. 49 |]), PixelScale.Unit255)
            Expect.floatClose Accuracy.high r.Epochs[0].TrainLoss firstFifty.Loss "epoch 0 loss is that of the untrained net on the first 50"

        testCase "impossible options and empty data are named" <| fun () ->
            let e = Expect.throwsC (fun () -> run (make 0 10 0) |> ignore) id
            Expect.stringContains e.Message "iterations must be ≥ 1, got 0" "iterations"
            let e = Expect.throwsC (fun () -> run (make 25 10 -1) |> ignore) id
            Expect.stringContains e.Message "-1" "count"
            let train, _ = data.Value
            let empty = train.Subset([||], "empty")
            let e = Expect.throwsC (fun () -> EpochTraining.Run(Models.Create("twolayer", Generator(5)), "sgd lr=0.1", train, empty, options) |> ignore) id
            Expect.stringContains e.Message "'empty'" "empty set named"
    ]
