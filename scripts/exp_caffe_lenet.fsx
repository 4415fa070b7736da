// Validation against Caffe: its own LeNet MNIST recipe (examples/mnist/lenet_solver.prototxt and
// lenet_train_test.prototxt), which Caffe documents at 0.9897 test accuracy after 10,000 iterations.
//
//   dotnet fsi scripts/exp_caffe_lenet.fsx [--iterations N] [--threads N] [--data DIR] [--out DIR]
#load "Common.fsx"

open System
open System.Diagnostics
open InitLab.Data
open InitLab.Kernel
open InitLab.Reports
open InitLab.Studies
open InitLab.Training
open Common

/// Caffe's recipe as one record: net, solver, data.
type CaffeLeNet =
    { /// conv1 20@5×5, pool 2/2, conv2 50@5×5, pool 2/2, ip1 500, ReLU, ip2 10; xavier fillers, zero biases
      Net: string
      /// base_lr 0.01, momentum 0.9, weight_decay 0.0005, lr_policy inv (γ 1e-4, power 0.75), bias lr_mult 2
      Solver: string
      Batch: int
      MaxIter: int
      TestInterval: int
      /// scale 0.00390625 = 1/256
      Scale: PixelScale
      Seed: int
      Threads: int }

let args = Args.parse fsi.CommandLineArgs
let recipe =
    { Net = "lenet5"
      Solver = "caffe-lenet"
      Batch = 64
      MaxIter = args.Int("iterations", 10_000)
      TestInterval = 500
      Scale = PixelScale.Caffe256
      Seed = args.Int("seed", 1)
      Threads = args.Int("threads", 2) }
let caffeAccuracy = 0.9897

let clock = Stopwatch.StartNew()
let outDir = outputFolder args "caffe-lenet"
let root =
    match Data.tryResolveRoot (args.Option "data") [ "mnist" ] with
    | Some r -> r
    | None -> failwith "the Caffe validation needs real MNIST: pass --data DIR or set INITLAB_DATA"
let mnist = Mnist.Load root

let runner = new StudyRunner(IO.Path.Combine(outDir, "runs.db"))
let options =
    TrainingOptions(Iterations = recipe.MaxIter, BatchSize = recipe.Batch, Shuffle = false, Scale = recipe.Scale,
                    TestInterval = recipe.TestInterval, TestBatchSize = 100, Threads = recipe.Threads)
let config =
    Json.ofPairs [ "net", recipe.Net; "solver", recipe.Solver; "batch", string recipe.Batch; "max_iter", string recipe.MaxIter
                   "test_interval", string recipe.TestInterval; "scale", "1/256"; "shuffle", "false (LMDB order)"
                   "seed", string recipe.Seed; "threads", string recipe.Threads
                   "data", mnist.Train.Fingerprint + "+" + mnist.Test.Fingerprint ]
let model = Nn.Models.Create(recipe.Net, Generator(recipe.Seed))
let result =
    runner.TrainOrReuse(ArmSpec("caffe-lenet", "lenet-mnist", config, int64 recipe.Seed, recipe.Solver, options), model, mnist.Train, mnist.Test)
runner.Dispose()
let final = result.Evaluations |> Seq.last
printfn "test accuracy %.4f after %d iterations (Caffe documents %.4f); training %.1f s at %.0f img/s%s"
    final.Accuracy recipe.MaxIter caffeAccuracy result.Seconds result.ImagesPerSecond (if result.Reused then " (reused run)" else "")

let report = Report("Caffe's LeNet MNIST recipe, reproduced")
report.Paragraph($"Test accuracy on all 10,000 MNIST test images after {recipe.MaxIter} iterations: {final.Accuracy:P2} (Caffe documents {caffeAccuracy:P2}).") |> ignore
report.LineChart("Training loss", "iteration", "loss",
                 [ Series("loss", Array.init result.Losses.Count (fun i -> float (i + 1)), Seq.toArray result.Losses) ]) |> ignore
report.LineChart("Test accuracy", "iteration", "accuracy",
                 [ Series("ours", result.Evaluations |> Seq.map (fun e -> float e.Iteration) |> Seq.toArray, result.Evaluations |> Seq.map (fun e -> e.Accuracy) |> Seq.toArray)
                   Series("Caffe (final, documented)", [| 0.0; float recipe.MaxIter |], [| caffeAccuracy; caffeAccuracy |]) ]) |> ignore
report.KeyValues("Recipe and timing",
                 [ "net", "Caffe LeNet (xavier fillers, biases 0)"; "solver", "base_lr 0.01, momentum 0.9, weight_decay 0.0005, inv γ 1e-4 power 0.75, bias lr_mult 2"
                   "batch", string recipe.Batch; "iterations", string recipe.MaxIter; "data order", "sequential, as Caffe's LMDB"
                   "training time", $"{result.Seconds:F1} s ({result.ImagesPerSecond:F0} img/s, {recipe.Threads} threads)"
                   "wall time", $"{clock.Elapsed.TotalSeconds:F1} s" ] |> pairs) |> ignore
printfn "report: %s" (report.Save(IO.Path.Combine(outDir, "report.html")))
