// Benchmark: prints one `name=value` line per figure; the last is lenet5_train_img_per_s (batch 64, 2 threads).
// Usage: dotnet fsi scripts/bench.fsx [--no-torch] [--quick] [--short] [--onnx-only | --compare | --sequence]
//   The PyTorch peers (../shared/bench, BenchPeers.fsx) run when Debian's python3-torch is installed.
//   --onnx-only, --compare and --sequence print only the figures of BenchOnnx.fsx, BenchCompare.fsx or
//   BenchSequence.fsx; --short gives the ONNX figures small time budgets; --quick times fewer paper-001 steps.
// Common.fsx loads the built assemblies and re-runs the script with the kernels' loops jitted fully
// optimised from the first call (F# drops AggressiveOptimization; tier-0 loops would skew the timings).
#load "Common.fsx"
#load "BenchPeers.fsx"
#load "BenchOnnx.fsx"
#load "BenchCompare.fsx"
#load "BenchSequence.fsx"

open System
open System.Diagnostics
open System.Numerics.Tensors
open InitLab.Kernel.Raw

let onnxShort = Array.contains "--short" fsi.CommandLineArgs
if Array.contains "--onnx-only" fsi.CommandLineArgs then
    BenchOnnx.run onnxShort
    exit 0
if Array.contains "--compare" fsi.CommandLineArgs then
    InitLab.Kernel.Raw.Threads.Count <- 2
    BenchCompare.run ()
    exit 0
if Array.contains "--sequence" fsi.CommandLineArgs then
    BenchSequence.run ()
    exit 0

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

let sgemmCall (size: int) =
    let a = randArr (size * size)
    let b = randArr (size * size)
    let c = Array.zeroCreate<float32> (size * size)
    fun () -> Gemm.Sgemm(false, false, size, size, size, 1.0f, a, 0, size, b, 0, size, 0.0f, c, 0, size)

InitLab.Kernel.Raw.Threads.Count <- 2
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
    InitLab.Kernel.Raw.Threads.Count <- threads
    let t = timeBest 40 lenetStep
    printfn "lenet_raw_kernels_ms_batch64_threads%d=%.3f" threads (t * 1e3)
    printfn "lenet_raw_kernels_img_per_s_threads%d=%.0f" threads (64.0 / t)
    // mean over 300 steps, comparable to torch_lenet.py's figure (best-of hides a busy machine)
    let sw = Stopwatch.StartNew()
    for _ in 1 .. 300 do lenetStep ()
    printfn "lenet_raw_kernels_mean_img_per_s_threads%d=%.0f" threads (300.0 * 64.0 / sw.Elapsed.TotalSeconds)
InitLab.Kernel.Raw.Threads.Count <- 2

// ---- The real thing: Caffe LeNet-5 training through Tensor, autodiff, Nn and Optim -----------------
// Same protocol as ../shared/bench/torch_lenet.py: SGD momentum 0.9, weight decay 5e-4, inv policy,
// batch 64 from a pool of 4,096 random images, 20 warm-up steps, mean over the timed steps.
open InitLab.Kernel
open InitLab.Kernel.Nn
open InitLab.Kernel.Optim

/// Whole training steps per second of `model` (batch from a pool of 4,096 random images, 20 warm-up steps).
let trainingThroughput (model: Module) (opt: Optimizer) (batch: int) (image: int[]) (classes: int) (threads: int) (iters: int) =
    InitLab.Kernel.Raw.Threads.Count <- threads
    let gen = Generator(0)
    let size = Array.reduce (*) image
    let pool = Array.init (4096 * size) (fun _ -> float32 (gen.NextDouble()))
    let labels = Array.init 4096 (fun _ -> gen.NextInt classes)
    let xs = Array.init (4096 / batch) (fun j -> Tensor.OfArray(pool[j * batch * size .. (j + 1) * batch * size - 1], Array.append [| batch |] image))
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

let lenetTraining (threads: int) (iters: int) =
    let model = Models.LeNet5(gen = Generator(0))
    trainingThroughput model (OptimizerSpec.create OptimizerSpec.caffeLeNet model.NamedParameters) 64 [| 1; 28; 28 |] 10 threads iters

let ours1 = lenetTraining 1 200
printfn "lenet5_train_img_per_s_threads1=%.0f" ours1
let ours2 = lenetTraining 2 300

let torch (threads: int) = BenchPeers.run "torch_lenet.py" [ string threads; "64"; "300" ] "img/s"

if not (Array.contains "--no-torch" fsi.CommandLineArgs) then
    for threads, ours in [ 1, ours1; 2, ours2 ] do
        torch threads |> BenchPeers.report $"torch_lenet_img_per_s_threads{threads}" ours
// ---- Paper 001: its LeNet (conv 20@7×7 … fc 500), Adam, batch 128, 1×32×32; and Algorithm 1's cost ----
// Same protocol as ../shared/bench/torch_init001.py: a pool of 4,096 random images, 20 warm-up steps,
// mean over the timed steps. `--quick` times fewer steps and a smaller initialisation set.
open InitLab.Kernel.Init

let benchQuick = Array.contains "--quick" fsi.CommandLineArgs
let init001Training (threads: int) (iters: int) =
    let model = Paper001LeNet.Create(1, 32, 32, 10, gen = Generator(0))
    trainingThroughput model (OptimizerSpec.create (OptimizerSpec.parse "adam lr=0.001") model.NamedParameters) 128 [| 1; 32; 32 |] 10 threads iters

let init001Iters = if benchQuick then 60 else 200
let init001Ours = init001Training 2 init001Iters
printfn "init001_lenet_adam_b128_32x32_img_per_s_threads2=%.0f" init001Ours

// Algorithm 1 (conv1 then conv2) on a CIFAR-10-sized 10 % subset (5,000 images) against one epoch of training on it.
let initImages = if benchQuick then 1000 else 5000
let initSeconds =
    InitLab.Kernel.Raw.Threads.Count <- 2
    let gen = Generator(3)
    let x = Tensor.Rand([| initImages; 1; 32; 32 |], gen)
    let model = Paper001LeNet.Create(1, 32, 32, 10, gen = gen)
    let sw = Stopwatch.StartNew()
    DataDrivenModel.Initialise(DataDrivenOptions.Default, model, Paper001LeNet.DataDrivenLayers, x, Generator 4) |> ignore
    sw.Elapsed.TotalSeconds
let epochSeconds = float initImages / init001Ours
printfn "init001_algorithm1_seconds_%d_images=%.3f one_epoch_seconds=%.3f ratio_init_over_epoch=%.2f" initImages initSeconds epochSeconds (initSeconds / epochSeconds)

if not (Array.contains "--no-torch" fsi.CommandLineArgs) then
    BenchPeers.run "torch_init001.py" [ "2"; "128"; string (if benchQuick then 40 else 100); "32"; "10" ] "img/s"
    |> BenchPeers.report "torch_init001_img_per_s_threads2" init001Ours

BenchSequence.run ()
BenchOnnx.run onnxShort
InitLab.Kernel.Raw.Threads.Count <- 2
BenchCompare.run ()
printfn "lenet5_train_img_per_s=%.0f" ours2
