// Network-comparison figures (issue 12), loaded by bench.fsx: weight matching of two LeNet-5s and
// CKA over all layers on 1,000 probes.
module BenchCompare

open System.Diagnostics
open InitLab.Kernel

// Goals: aligning two LeNet-5s (431,080 parameters) under 1 s; CKA over all layers on 1,000 probes under 2 s.
let run () =
    let gen = InitLab.Kernel.Generator(5)
    let trainedLeNet (seed: int) =
        let m = InitLab.Kernel.Nn.Models.LeNet5(gen = InitLab.Kernel.Generator(seed)) :> InitLab.Kernel.Nn.Module
        let opt = InitLab.Kernel.Optim.OptimizerSpec.create InitLab.Kernel.Optim.OptimizerSpec.caffeLeNet m.NamedParameters
        for _ in 1 .. 20 do
            let x = InitLab.Kernel.Tensor.Rand([| 64; 1; 28; 28 |], gen)
            m.Forward(x).CrossEntropy(Array.init 64 (fun _ -> gen.NextInt 10)).Backward()
            opt.Step()
            opt.ZeroGrad()
        m
    let a, b = trainedLeNet 1, trainedLeNet 2
    // wall seconds, and the process's CPU seconds beside them: on a shared machine the wall time
    // measures the queue, the CPU time (over 2 threads) what the work itself costs
    let proc = Process.GetCurrentProcess()
    let mutable cpu = 0.0
    let time (f: unit -> 'a) =
        proc.Refresh()
        let c0 = proc.TotalProcessorTime
        let sw = Stopwatch.StartNew()
        let r = f ()
        proc.Refresh()
        cpu <- (proc.TotalProcessorTime - c0).TotalSeconds
        r, sw.Elapsed.TotalSeconds
    let warm, _ = time (fun () -> InitLab.Kernel.Compare.WeightMatching.align 0 a b)
    let best, bestCpu = [ for _ in 1 .. 3 -> snd (time (fun () -> InitLab.Kernel.Compare.WeightMatching.align 0 a b)), cpu ] |> List.min
    printfn "compare_align_lenet5_s=%.3f cpu_s=%.3f rounds=%d (goal < 1 s)" best bestCpu warm.Rounds
    let probes = InitLab.Kernel.Tensor.Rand([| 1000; 1; 28; 28 |], gen)
    let ckaAll (est: InitLab.Kernel.Compare.CkaEstimator) () =
        let outs (m: InitLab.Kernel.Nn.Module) = InitLab.Kernel.Compare.LayerOutputs.ofModel m probes |> Array.filter (fun (n, _) -> n <> "flatten")
        InitLab.Kernel.Compare.Cka.matrix est (outs a) (outs b)
    ckaAll InitLab.Kernel.Compare.Biased () |> ignore
    let _, tb = time (ckaAll InitLab.Kernel.Compare.Biased)
    let cb = cpu
    let _, td = time (ckaAll InitLab.Kernel.Compare.Debiased)
    printfn "compare_cka_all_layers_1000_probes_s=%.3f cpu_s=%.3f debiased_s=%.3f cpu_s=%.3f (goal < 2 s, both models' forward passes included)" tb cb td cpu

