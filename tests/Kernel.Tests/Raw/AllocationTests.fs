module InitLab.Kernel.Tests.Raw.AllocationTests

open System
open Expecto
open InitLab.Kernel.Raw
open InitLab.Kernel.Tests.Raw.Reference

/// Bytes allocated by the calling thread over `reps` calls, after `reps` warm-up calls.
let allocatedBy (reps: int) (f: unit -> unit) =
    for _ in 1 .. reps do f ()
    let before = GC.GetAllocatedBytesForCurrentThread()
    for _ in 1 .. reps do f ()
    GC.GetAllocatedBytesForCurrentThread() - before

[<Tests>]
let tests =
    testSequenced <| testList "Raw.Allocation" [
        testCase "steady-state GEMM, convolution and max pooling calls allocate (almost) nothing" <| fun () ->
            let rng = Random 1
            let n, c, h, w, oc, k = 8, 20, 12, 12, 50, 5
            let x, wt, bias = rand32 rng (n * c * h * w), rand32 rng (oc * c * k * k), rand32 rng oc
            let y, dy = Array.zeroCreate<float32> (n * oc * 64), rand32 rng (n * oc * 64)
            let dx, dw, db = Array.zeroCreate<float32> x.Length, Array.zeroCreate<float32> wt.Length, Array.zeroCreate<float32> oc
            let a, b, cm = rand32 rng (64 * 300), rand32 rng (300 * 200), Array.zeroCreate<float32> (64 * 200)
            let py, am = Array.zeroCreate<float32> (n * c * 36), Array.zeroCreate<int> (n * c * 36)
            let ops =
                [ "Sgemm", (fun () -> Gemm.Sgemm(false, true, 64, 200, 300, 1.0f, a, 0, 300, b, 0, 300, 0.0f, cm, 0, 200))
                  "Conv2d.Forward", (fun () -> Conv2d.Forward(x, n, c, h, w, wt, oc, k, k, 1, 0, bias, y))
                  "Conv2d.Backward", (fun () -> Conv2d.Backward(x, n, c, h, w, wt, oc, k, k, 1, 0, dy, dx, dw, db))
                  "Pool2d.MaxForward", (fun () -> Pool2d.MaxForward(x, n, c, h, w, 2, 2, py, am)) ]
            for (name, f) in ops do
                // a few hundred bytes would mean a closure or buffer per call
                let bytes = allocatedBy 20 f
                Expect.isLessThan bytes 2000L (sprintf "%s allocated %d bytes over 20 calls" name bytes)
    ]
