// Benchmark: prints one `name=value` line per figure; the last is lenet5_train_img_per_s (batch 64, 2 threads).
// Usage: dotnet fsi scripts/bench.fsx [--no-torch] [--sequence]  (--sequence: only paper 003's figures, short)   (the PyTorch peer runs when Debian's python3-torch is installed)
// Common.fsx loads the built assemblies and re-runs the script with the kernels' loops jitted fully
// optimised from the first call (F# drops AggressiveOptimization; tier-0 loops would skew the timings).
#load "Common.fsx"

open System
open System.Diagnostics
open System.Numerics.Tensors
open InitLab.Kernel.Raw

let rng = Random 42
let randArr (len: int) = Array.init len (fun _ -> float32 (rng.NextDouble() * 2.0 - 1.0))

/// Best-of-`reps` seconds of `f` after a warm-up call.
let timeBest (reps: int) (f: unit -> unit) =
    f ()
    let mutable best = Double.MaxValue
    for _ in 1 .. reps do
        let sw = Stopwatch.StartNew()
        f ()
        best <- min best sw.Elapsed.TotalSeconds
    best

/// Runs a peer benchmark of ../shared/bench with python3 and reads its "N unit" figure (None when it cannot run);
/// `unset` names environment variables the peer must not see.
let peer (script: string) (args: string list) (unit: string) (unset: string list) =
    let psi = ProcessStartInfo("/usr/bin/python3", UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true)
    // ../shared/bench beside the repository, found upwards (a worktree may sit deeper than the main checkout)
    let rec benchDir (d: IO.DirectoryInfo) =
        if isNull d then IO.Path.Combine(__SOURCE_DIRECTORY__, "..", "..", "shared", "bench")
        elif IO.Directory.Exists(IO.Path.Combine(d.FullName, "shared", "bench")) then IO.Path.Combine(d.FullName, "shared", "bench")
        else benchDir d.Parent
    for a in IO.Path.Combine(benchDir (IO.DirectoryInfo(__SOURCE_DIRECTORY__)), script) :: args do psi.ArgumentList.Add a
    for v in unset do psi.Environment.Remove v |> ignore
    try
        use p = Process.Start psi
        let out = p.StandardOutput.ReadToEnd()
        p.WaitForExit()
        let m = Text.RegularExpressions.Regex.Match(out, @"([0-9.]+) " + Text.RegularExpressions.Regex.Escape unit)
        if p.ExitCode = 0 && m.Success then Some(float m.Groups[1].Value) else None
    with _ -> None

// ---- Paper 003 (run alone with --sequence): the fused LSTM's bytes per time step, and model-2 training
// pairs/s at batch 128 beside ../shared/bench/torch_seq003.py in the same run (OpenBLAS tuning variables unset).
let sequenceBench () =
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
        let torch = peer "torch_seq003.py" [ "2"; string batch; string iters ] "pairs/s" [ "OPENBLAS_CORETYPE"; "OPENBLAS_L2_SIZE" ]
        match torch with
        | Some t -> printfn "torch_seq003_pairs_per_s_threads2=%.0f ratio_ours_over_torch=%.2f" t (ours / t)
        | None -> printfn "torch_seq003=unavailable (apt-get install python3-torch libopenblas0-pthread)"

if Array.contains "--sequence" fsi.CommandLineArgs then
    sequenceBench ()
    exit 0

let sgemmCall (size: int) =
    let a = randArr (size * size)
    let b = randArr (size * size)
    let c = Array.zeroCreate<float32> (size * size)
    fun () -> Gemm.Sgemm(false, false, size, size, size, 1.0f, a, 0, size, b, 0, size, 0.0f, c, 0, size)

Threads.Count <- 2
let sgemms = [ 256, 40; 512, 15; 1024, 6 ] |> List.map (fun (size, reps) -> size, reps, sgemmCall size)

// conv2 of Caffe LeNet at batch 64: 20→50 channels, 5×5, 12×12 input, forward + backward (dx, dw, db)
let n, c, h, w, oc, k = 64, 20, 12, 12, 50, 5
let oh = h - k + 1
let x = randArr (n * c * h * w)
let wt = randArr (oc * c * k * k)
let bias = randArr oc
let y = Array.zeroCreate<float32> (n * oc * oh * oh)
let dy = randArr (n * oc * oh * oh)
let dx = Array.zeroCreate<float32> x.Length
let dw = Array.zeroCreate<float32> wt.Length
let db = Array.zeroCreate<float32> oc
let fwd () = Conv2d.Forward(x, n, c, h, w, wt, oc, k, k, 1, 0, bias, y)
let bwd () = Conv2d.Backward(x, n, c, h, w, wt, oc, k, k, 1, 0, dy, dx, dw, db)

// Warm-up: thread start, buffer growth and any remaining tier-up happen here, not in the timings.
let warm = Stopwatch.StartNew()
while warm.Elapsed.TotalSeconds < 1.5 do
    for (_, _, f) in sgemms do f ()
    fwd ()
    bwd ()

for (size, reps, f) in sgemms do
    printfn "sgemm_%d_gflops=%.1f" size (2.0 * float size ** 3.0 / timeBest reps f / 1e9)
let tf = timeBest 30 fwd
let tb = timeBest 30 bwd
printfn "conv2_fwd_ms_batch64=%.3f" (tf * 1e3)
printfn "conv2_bwd_ms_batch64=%.3f" (tb * 1e3)
printfn "conv2_fwd_bwd_ms_batch64=%.3f" ((tf + tb) * 1e3)
let convFlops = 2.0 * float (n * oc * oh * oh * c * k * k)
printfn "conv2_fwd_gflops=%.1f" (convFlops / tf / 1e9)
printfn "conv2_bwd_gflops=%.1f" (2.0 * convFlops / tb / 1e9)

// A Caffe LeNet-5 training step at batch 64 built from the raw kernels alone (no Tensor, no tape,
// loss gradient replaced by a fixed random dO, plain SGD): the ceiling the Kernel can reach.
let lenetStep =
    let b = 64
    let x = randArr (b * 784)
    let w1, b1, w2, b2 = randArr (20 * 25), randArr 20, randArr (50 * 500), randArr 50
    let f1, fb1, f2, fb2 = randArr (500 * 800), randArr 500, randArr (10 * 500), randArr 10
    let c1, p1, am1 = Array.zeroCreate<float32> (b * 20 * 576), Array.zeroCreate<float32> (b * 20 * 144), Array.zeroCreate<int> (b * 20 * 144)
    let c2, p2, am2 = Array.zeroCreate<float32> (b * 50 * 64), Array.zeroCreate<float32> (b * 800), Array.zeroCreate<int> (b * 800)
    let hid, out = Array.zeroCreate<float32> (b * 500), Array.zeroCreate<float32> (b * 10)
    // softmax-CE sized gradient, tiny step: keeps the weights bounded over many timed steps
    let dOut = randArr (b * 10) |> Array.map (fun v -> v / float32 b)
    let dHid, dP2, dC2, dP1, dC1 = Array.zeroCreate<float32> (b * 500), Array.zeroCreate<float32> (b * 800), Array.zeroCreate<float32> c2.Length, Array.zeroCreate<float32> p1.Length, Array.zeroCreate<float32> c1.Length
    let gw1, gb1, gw2, gb2 = Array.zeroCreate<float32> w1.Length, Array.zeroCreate<float32> 20, Array.zeroCreate<float32> w2.Length, Array.zeroCreate<float32> 50
    let gf1, gfb1, gf2, gfb2 = Array.zeroCreate<float32> f1.Length, Array.zeroCreate<float32> 500, Array.zeroCreate<float32> f2.Length, Array.zeroCreate<float32> 10
    let addBias (y: float32[]) (bias: float32[]) rows =
        for r in 0 .. rows - 1 do
            let row = Span<float32>(y, r * bias.Length, bias.Length)
            TensorPrimitives.Add(Span.op_Implicit row, ReadOnlySpan bias, row)
    let colSums (dy: float32[]) (db: float32[]) rows =
        for r in 0 .. rows - 1 do
            TensorPrimitives.Add(ReadOnlySpan db, ReadOnlySpan<float32>(dy, r * db.Length, db.Length), Span db)
    let sgd (p: float32[]) (g: float32[]) = TensorPrimitives.MultiplyAdd(ReadOnlySpan g, -1e-4f, ReadOnlySpan p, Span p)
    fun () ->
        Conv2d.Forward(x, b, 1, 28, 28, w1, 20, 5, 5, 1, 0, b1, c1)
        Pool2d.MaxForward(c1, b, 20, 24, 24, 2, 2, p1, am1)
        Conv2d.Forward(p1, b, 20, 12, 12, w2, 50, 5, 5, 1, 0, b2, c2)
        Pool2d.MaxForward(c2, b, 50, 8, 8, 2, 2, p2, am2)
        Gemm.Sgemm(false, true, b, 500, 800, 1.0f, p2, 0, 800, f1, 0, 800, 0.0f, hid, 0, 500)
        addBias hid fb1 b
        TensorPrimitives.Max(ReadOnlySpan hid, 0.0f, Span hid)
        Gemm.Sgemm(false, true, b, 10, 500, 1.0f, hid, 0, 500, f2, 0, 500, 0.0f, out, 0, 10)
        addBias out fb2 b
        for g in [ gw1; gb1; gw2; gb2; gfb1; gfb2; dC2; dP1; dC1 ] do Array.Clear g
        Gemm.Sgemm(true, false, 10, 500, b, 1.0f, dOut, 0, 10, hid, 0, 500, 0.0f, gf2, 0, 500)
        colSums dOut gfb2 b
        Gemm.Sgemm(false, false, b, 500, 10, 1.0f, dOut, 0, 10, f2, 0, 500, 0.0f, dHid, 0, 500)
        for i in 0 .. dHid.Length - 1 do if hid.[i] <= 0.0f then dHid.[i] <- 0.0f
        Gemm.Sgemm(true, false, 500, 800, b, 1.0f, dHid, 0, 500, p2, 0, 800, 0.0f, gf1, 0, 800)
        colSums dHid gfb1 b
        Gemm.Sgemm(false, false, b, 800, 500, 1.0f, dHid, 0, 500, f1, 0, 800, 0.0f, dP2, 0, 800)
        Pool2d.MaxBackward(dP2, am2, dP2.Length, dC2)
        Conv2d.Backward(p1, b, 20, 12, 12, w2, 50, 5, 5, 1, 0, dC2, dP1, gw2, gb2)
        Pool2d.MaxBackward(dP1, am1, dP1.Length, dC1)
        Conv2d.Backward(x, b, 1, 28, 28, w1, 20, 5, 5, 1, 0, dC1, null, gw1, gb1)
        for (p, g) in [ w1, gw1; b1, gb1; w2, gw2; b2, gb2; f1, gf1; fb1, gfb1; f2, gf2; fb2, gfb2 ] do sgd p g

for threads in [ 2; 1 ] do
    Threads.Count <- threads
    let t = timeBest 40 lenetStep
    printfn "lenet_raw_kernels_ms_batch64_threads%d=%.3f" threads (t * 1e3)
    printfn "lenet_raw_kernels_img_per_s_threads%d=%.0f" threads (64.0 / t)
    // mean over 300 steps, comparable to torch_lenet.py's figure (best-of hides a busy machine)
    let sw = Stopwatch.StartNew()
    for _ in 1 .. 300 do lenetStep ()
    printfn "lenet_raw_kernels_mean_img_per_s_threads%d=%.0f" threads (300.0 * 64.0 / sw.Elapsed.TotalSeconds)
Threads.Count <- 2

// ---- The real thing: Caffe LeNet-5 training through Tensor, autodiff, Nn and Optim -----------------
// Same protocol as ../shared/bench/torch_lenet.py: SGD momentum 0.9, weight decay 5e-4, inv policy,
// batch 64 from a pool of 4,096 random images, 20 warm-up steps, mean over the timed steps.
open InitLab.Kernel
open InitLab.Kernel.Nn
open InitLab.Kernel.Optim

let lenetTraining (threads: int) (iters: int) =
    Threads.Count <- threads
    let gen = Generator(0)
    let model = Models.LeNet5(gen = gen)
    let opt = OptimizerSpec.create OptimizerSpec.caffeLeNet model.NamedParameters
    let batch = 64
    let pool = Array.init (4096 * 784) (fun _ -> float32 (gen.NextDouble()))
    let labels = Array.init 4096 (fun _ -> gen.NextInt 10)
    let xs = Array.init (4096 / batch) (fun j -> Tensor.OfArray(pool[j * batch * 784 .. (j + 1) * batch * 784 - 1], [| batch; 1; 28; 28 |]))
    let ys = Array.init (4096 / batch) (fun j -> labels[j * batch .. (j + 1) * batch - 1])
    let step i =
        let j = i % xs.Length
        let loss = model.Forward(xs[j]).CrossEntropy(ys[j])
        loss.Backward()
        opt.Step()
        opt.ZeroGrad()
    for i in 0 .. 19 do step i
    let sw = Stopwatch.StartNew()
    for i in 0 .. iters - 1 do step i
    float (iters * batch) / sw.Elapsed.TotalSeconds

let ours1 = lenetTraining 1 200
printfn "lenet5_train_img_per_s_threads1=%.0f" ours1
let ours2 = lenetTraining 2 300

let torch (threads: int) = peer "torch_lenet.py" [ string threads; "64"; "300" ] "img/s" []

if not (Array.contains "--no-torch" fsi.CommandLineArgs) then
    for threads, ours in [ 1, ours1; 2, ours2 ] do
        match torch threads with
        | Some t -> printfn "torch_lenet_img_per_s_threads%d=%.0f ratio_ours_over_torch=%.2f" threads t (ours / t)
        | None -> printfn "torch_lenet_threads%d=unavailable (apt-get install python3-torch libopenblas0-pthread)" threads
sequenceBench ()
printfn "lenet5_train_img_per_s=%.0f" ours2
