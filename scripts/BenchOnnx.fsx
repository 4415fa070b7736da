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

/// The networks the studies train, as the Kernel builds them, with the shape of one input sample
/// (paper 003's model-2 takes the pair as two channels).
let private networks () =
    let gen = Generator 7
    [ "lenet5", Models.LeNet5(gen = gen) :> Module, [| 1; 28; 28 |]
      "twolayer", Flatten() --> Models.TwoLayerNet(784, 50, 10, gen = gen) :> Module, [| 1; 28; 28 |]
      "p001_lenet", Paper001LeNet.Create(1, 28, 28, 10, gen = gen) :> Module, [| 1; 28; 28 |]
      "p003_cnn", SequenceNets.DigitCnn(DigitCnnSpec.Paper, gen) :> Module, [| 1; 28; 28 |]
      "p003_model2", SequenceNets.Model2(DigitCnnSpec.Paper, SequenceLstmSpec.Paper, gen) :> Module, [| 2; 28; 28 |] ]

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
        for name, net, sample in networks () do
            let path = Path.Combine(dir, name + ".onnx")
            let export () = OnnxExporter.Export(net, path, OnnxExportOptions(InputShape = sample)) |> ignore
            printfn "onnx_export_ms_%s=%.1f" name (1e3 / rate budget export)
            net.Eval() |> ignore
            for batch in [ 64; 1 ] do
                let shape = Array.append [| batch |] sample
                let images = (Tensor.Rand(shape, gen)).ToFloat32Array()
                let inputs = [| OnnxTensor("input", images, shape) |]
                for threads in [ 1; 2 ] do
                    Threads.Count <- threads
                    let ours =
                        rate budget (fun () ->
                            use _ = Tensor.NoGrad()
                            use _ = Tensor.Scope()
                            net.Forward(Tensor.OfArray(images, shape)) |> ignore)
                    use ort = new OnnxInference(path, threads)
                    let theirs = rate budget (fun () -> ort.Run inputs |> ignore)
                    printfn "onnx_%s_batch%d_threads%d_img_per_s ort=%.0f kernel=%.0f ratio_kernel_over_ort=%.2f"
                        name batch threads (theirs * float batch) (ours * float batch) (ours / theirs)
        printfn "onnx_runtime_version=%s" OnnxInference.RuntimeVersion
    finally
        Threads.Count <- 2
        try Directory.Delete(dir, true) with _ -> ()
