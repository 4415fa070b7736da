// ONNX export figures, loaded by bench.fsx: export time per network, and ONNX Runtime's inference img/s
// beside the Kernel's own forward at batch 64 and 1 on 1 and 2 threads. `short` shrinks every time budget.
#r "../Host/bin/Release/net10.0/Google.Protobuf.dll"
#r "../Host/bin/Release/net10.0/OnnxSharp.dll"
#r "../Host/bin/Release/net10.0/Microsoft.ML.OnnxRuntime.dll"

open System
open System.Diagnostics
open System.IO
open InitLab.Export.Onnx
open InitLab.Kernel
open InitLab.Kernel.Nn
open InitLab.Kernel.Raw

/// The networks the studies train. Paper 001's LeNet and paper 003's CNN are spelled out here until
/// the Kernel names them (the tests build the same architectures).
let private networks () =
    let gen = Generator 7
    let p001 =
        Sequential [
            "c1", Conv2d(1, 20, 7, gen = gen) :> Module; "relu1", ReLU(); "s2", MaxPool2d 2
            "c3", Conv2d(20, 50, 5, gen = gen); "relu3", ReLU(); "s4", MaxPool2d 2; "flatten", Flatten()
            "f5", Linear(450, 500, gen = gen); "relu5", ReLU(); "f6", Linear(500, 10, gen = gen) ] :> Module
    let p003 () =
        Sequential [
            "conv", Conv2d(1, 16, 3, gen = gen) :> Module; "relu1", ReLU(); "pool", MaxPool2d 2
            "dropout", Dropout(0.25, gen.Split()); "flatten", Flatten()
            "fc1", Linear(2704, 128, gen = gen); "relu2", ReLU(); "fc2", Linear(128, 10, gen = gen) ] :> Module
    [ "lenet5", Choice1Of2(Models.LeNet5(gen = gen) :> Module)
      "twolayer", Choice1Of2(Flatten() --> Models.TwoLayerNet(784, 50, 10, gen = gen) :> Module)
      "p001_lenet", Choice1Of2 p001
      "p003_cnn", Choice1Of2(p003 ())
      "p003_model2", Choice2Of2(CnnLstmParts([| p003 (); p003 () |], LSTM(10, 64, gen = gen), Linear(64, 28, gen = gen))) ]

/// Calls per second of `f` within `budget` seconds, after one warm-up call.
let private rate (budget: float) (f: unit -> unit) =
    f ()
    let sw = Stopwatch.StartNew()
    let mutable calls = 0
    while sw.Elapsed.TotalSeconds < budget do
        f ()
        calls <- calls + 1
    float calls / sw.Elapsed.TotalSeconds

let run (short: bool) =
    let budget = if short then 0.25 else 1.5
    let dir = Path.Combine(Path.GetTempPath(), "initlab-bench-onnx-" + Guid.NewGuid().ToString "N")
    Directory.CreateDirectory dir |> ignore
    try
        let gen = Generator 99
        for name, net in networks () do
            let path = Path.Combine(dir, name + ".onnx")
            let export () =
                match net with
                | Choice1Of2 m -> OnnxExporter.Export(m, path) |> ignore
                | Choice2Of2 p -> OnnxExporter.Export(p, path) |> ignore
            printfn "onnx_export_ms_%s=%.1f" name (1e3 / rate budget export)
            for batch in [ 64; 1 ] do
                let shape = [| batch; 1; 28; 28 |]
                let images = Array.init 2 (fun _ -> (Tensor.Rand(shape, gen)).ToFloat32Array())
                let kernelForward =
                    match net with
                    | Choice1Of2 m ->
                        m.Eval() |> ignore
                        fun () -> m.Forward(Tensor.OfArray(images[0], shape)) |> ignore
                    | Choice2Of2 p ->
                        p.Eval() |> ignore
                        fun () ->
                            let z1, z2 = p.Cnns[0].Forward(Tensor.OfArray(images[0], shape)), p.Cnns[1].Forward(Tensor.OfArray(images[1], shape))
                            let _, (h, _) = p.Lstm.ForwardWithState(TensorOps.Stack([| z1; z2 |], 1))
                            p.Head.Forward h |> ignore
                let inputs =
                    match net with
                    | Choice1Of2 _ -> [| OnnxTensor("input", images[0], shape) |]
                    | Choice2Of2 _ -> [| OnnxTensor("input1", images[0], shape); OnnxTensor("input2", images[1], shape) |]
                for threads in [ 1; 2 ] do
                    Threads.Count <- threads
                    let ours =
                        rate budget (fun () ->
                            use _ = Tensor.NoGrad()
                            use _ = Tensor.Scope()
                            kernelForward ())
                    use ort = new OnnxInference(path, threads)
                    let theirs = rate budget (fun () -> ort.Run inputs |> ignore)
                    printfn "onnx_%s_batch%d_threads%d_img_per_s ort=%.0f kernel=%.0f ratio_kernel_over_ort=%.2f"
                        name batch threads (theirs * float batch) (ours * float batch) (ours / theirs)
        printfn "onnx_runtime_version=%s" OnnxInference.RuntimeVersion
    finally
        Threads.Count <- 2
        try Directory.Delete(dir, true) with _ -> ()
