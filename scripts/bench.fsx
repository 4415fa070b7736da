// Raw-kernel benchmark: prints one `name=value` line per figure.
// Build first: dotnet build Kernel -c Release
#r "../Kernel/bin/Release/net10.0/InitLab.Kernel.dll"

open System
open System.Diagnostics
open InitLab.Kernel.Raw

// F# drops [<MethodImpl(AggressiveOptimization)>], so the kernels' loops start as tier-0 code and
// fsi's own background re-jitting can delay their promotion for seconds. Re-run this script with
// loop methods jitted fully optimized from the first call (what a long training run sees anyway).
if Environment.GetEnvironmentVariable "DOTNET_TC_QuickJitForLoops" <> "0" then
    let psi = ProcessStartInfo("dotnet", UseShellExecute = false)
    for a in [ "fsi"; "--optimize+"; __SOURCE_FILE__ ] @ List.tail (List.ofArray fsi.CommandLineArgs) do
        psi.ArgumentList.Add a
    psi.WorkingDirectory <- __SOURCE_DIRECTORY__
    psi.Environment.["DOTNET_TC_QuickJitForLoops"] <- "0"
    use p = Process.Start psi
    p.WaitForExit()
    exit p.ExitCode

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
