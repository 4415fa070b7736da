// Paper 003's figures, loaded by bench.fsx.
module BenchSequence

open System
open System.Diagnostics
open InitLab.Kernel.Raw

// ---- Paper 003 (run alone with --sequence): the fused LSTM's bytes per time step, and model-2 training
// pairs/s at batch 128 beside ../shared/bench/torch_seq003.py in the same run (OpenBLAS tuning variables unset).
let run () =
    Threads.Count <- 2
    // bytes allocated by forward + backward of the LSTM (hidden 64, batch 128), warm: the slope over T is per time step
    let lstm = InitLab.Kernel.Nn.LSTM(10, 64, gen = InitLab.Kernel.Generator 1)
    let bytes (steps: int) =
        let x = InitLab.Kernel.Tensor.RandN([| 128; steps; 10 |], InitLab.Kernel.Generator 2)
        let pass () =
            let loss = InitLab.Kernel.TensorOps.Sum(lstm.Forward x)
            loss.Backward()
            lstm.ZeroGrad()
        for _ in 1 .. 20 do pass ()
        let before = GC.GetAllocatedBytesForCurrentThread()
        for _ in 1 .. 20 do pass ()
        float (GC.GetAllocatedBytesForCurrentThread() - before) / 20.0
    let b2, b12 = bytes 2, bytes 12
    printfn "lstm_bytes_per_call_T2=%.0f" b2
    printfn "lstm_bytes_per_time_step=%.1f" ((b12 - b2) / 10.0)
    // model-2 training steps, same protocol as the peer: a pool of 4,096 random pairs, 20 warm-up steps
    let gen = InitLab.Kernel.Generator 0
    let model = InitLab.Kernel.Nn.SequenceNets.Model2(InitLab.Kernel.Nn.DigitCnnSpec.Paper, InitLab.Kernel.Nn.SequenceLstmSpec.Paper, gen)
    let opt = InitLab.Kernel.Optim.OptimizerSpec.create (InitLab.Kernel.Optim.OptimizerSpec.parse "sgd lr=0.01") model.NamedParameters
    let batch, pool = 128, 4096
    let xs = Array.init (pool / batch) (fun _ -> InitLab.Kernel.Tensor.Rand([| batch; 2; 28; 28 |], gen))
    let ys = Array.init (pool / batch) (fun _ -> Array.init batch (fun _ -> gen.NextInt 28))
    let step i =
        let j = i % xs.Length
        let loss = InitLab.Kernel.TensorOps.CrossEntropy(model.Forward xs[j], ys[j])
        loss.Backward()
        opt.Step()
        opt.ZeroGrad()
    for i in 0 .. 19 do step i
    let iters = 40
    let sw = Stopwatch.StartNew()
    for i in 0 .. iters - 1 do step i
    let ours = float (iters * batch) / sw.Elapsed.TotalSeconds
    printfn "seq003_model2_train_pairs_per_s_batch128_threads2=%.0f" ours
    if not (Array.contains "--no-torch" fsi.CommandLineArgs) then
        BenchPeers.run "torch_seq003.py" [ "2"; string batch; string iters ] "pairs/s"
        |> BenchPeers.report "torch_seq003_pairs_per_s_threads2" ours

