// Validation against Caffe: its own LeNet MNIST recipe (examples/mnist/lenet_solver.prototxt and
// lenet_train_test.prototxt), which Caffe documents at 0.9897 test accuracy after 10,000 iterations.
//
//   dotnet fsi scripts/exp_caffe_lenet.fsx [--iterations N] [--threads N] [--data DIR] [--out DIR]
#load "Common.fsx"

open System
open System.Diagnostics
open InitLab.Data
open InitLab.Reports
open InitLab.Studies
open Common

let args = Args.parse fsi.CommandLineArgs
let seed = args.Int("seed", 1)

// ---- Caffe's recipe as one record; the stored config and the report's configuration table are generated from it
let recipe =
    StudyConfig(
        Name = "caffe-lenet",
        // lenet_train_test.prototxt: conv1 20@5×5, pool 2/2, conv2 50@5×5, pool 2/2, ip1 500, ReLU, ip2 10; xavier fillers, zero biases
        Net = NetConfig(Name = "lenet5", WeightInit = "caffe-xavier"),
        // lenet_solver.prototxt, and the biases' lr_mult 2 of lenet_train_test.prototxt; test_iter 100 × batch 100 covers the 10,000 test images
        Solver = SolverConfig(Type = "sgd", BaseLr = 0.01, Momentum = 0.9, WeightDecay = 0.0005, LrPolicy = "inv", Gamma = 0.0001, Power = 0.75,
                              BiasLrMult = 2.0, MaxIter = args.Int("iterations", 10_000), Batch = 64, TestInterval = 500, TestBatch = 100),
        // scale 0.00390625 = 1/256; the LMDB is read in order, never shuffled
        Data = DataConfig(Sets = [ "mnist" ], Scale = PixelScale.Caffe256, Shuffle = false),
        Seeds = [ seed ],
        Threads = args.Int("threads", 2))
recipe.Validate()
let caffeAccuracy = 0.9897

let clock = Stopwatch.StartNew()
let outDir = outputFolder args "caffe-lenet"
let root =
    match Data.tryResolveRoot (args.Option "data") [ "mnist" ] with
    | Some r -> r
    | None -> failwith "the Caffe validation needs real MNIST: pass --data DIR or set INITLAB_DATA"
let mnist = Mnist.Load root

let runner = new StudyRunner(IO.Path.Combine(outDir, "runs.db"))
let model = recipe.Net.Create seed
let result = runner.TrainOrReuse(recipe, "lenet-mnist", seed, model, mnist.Train, mnist.Test)
runner.Dispose()
let final = result.Evaluations |> Seq.last
printfn "test accuracy %.4f after %d iterations (Caffe documents %.4f); training %.1f s at %.0f img/s%s"
    final.Accuracy recipe.Solver.MaxIter caffeAccuracy result.Seconds result.ImagesPerSecond (if result.Reused then " (reused run)" else "")

let report = Report("Caffe's LeNet MNIST recipe, reproduced")
report.Paragraph($"Test accuracy on all 10,000 MNIST test images after {recipe.Solver.MaxIter} iterations: {final.Accuracy:P2} (Caffe documents {caffeAccuracy:P2}).") |> ignore
report.LineChart("Training loss", "iteration", "loss",
                 [ Series("loss", Array.init result.Losses.Count (fun i -> float (i + 1)), Seq.toArray result.Losses) ]) |> ignore
report.LineChart("Test accuracy", "iteration", "accuracy",
                 [ Series("ours", result.Evaluations |> Seq.map (fun e -> float e.Iteration) |> Seq.toArray, result.Evaluations |> Seq.map (fun e -> e.Accuracy) |> Seq.toArray)
                   Series("Caffe (final, documented)", [| 0.0; float recipe.Solver.MaxIter |], [| caffeAccuracy; caffeAccuracy |]) ]) |> ignore
report.KeyValues("Recipe", recipe.ConfigurationRows()) |> ignore
report.KeyValues("Timing",
                 [ "training time", $"{result.Seconds:F1} s ({result.ImagesPerSecond:F0} img/s, {recipe.Threads} threads)"
                   "wall time", $"{clock.Elapsed.TotalSeconds:F1} s" ] |> pairs) |> ignore
printfn "report: %s" (report.Save(IO.Path.Combine(outDir, "report.html")))
