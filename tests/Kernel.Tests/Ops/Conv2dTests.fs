module InitLab.Kernel.Tests.Ops.Conv2dTests

open Expecto
open FsCheck.FSharp
open InitLab.Kernel
open InitLab.Kernel.Tests.Check

/// Direct convolution from the definition, shared with the raw-layer tests (independent of im2col/GEMM).
let naive (x: float[]) n c h w (wt: float[]) oc k stride pad (bias: float[]) =
    InitLab.Kernel.Tests.Raw.Reference.convForward x n c h w wt oc k k stride pad bias

type ConvCase = { N: int; C: int; H: int; W: int; O: int; K: int; Stride: int; Pad: int; Seed: int }

let convCase =
    gen {
        let! n = dim 1 3
        let! c = dim 1 3
        let! o = dim 1 4
        let! k = dim 1 4
        let! stride = dim 1 3
        let! pad = dim 0 2
        let! h = dim (max 1 (k - 2 * pad)) 8
        let! w = dim (max 1 (k - 2 * pad)) 8
        let! s = seed
        return { N = n; C = c; H = h; W = w; O = o; K = k; Stride = stride; Pad = pad; Seed = s }
    }

[<Tests>]
let tests =
    testList "ops.conv2d" [
        property 30 "forward matches the direct definition (float64)" convCase (fun t ->
            let x, w, b = randn t.Seed [| t.N; t.C; t.H; t.W |], randn (t.Seed + 1) [| t.O; t.C; t.K; t.K |], randn (t.Seed + 2) [| t.O |]
            let y = x.Conv2d(w, b, t.Stride, t.Pad)
            close 1e-12 "conv" (naive (x.ToArray()) t.N t.C t.H t.W (w.ToArray()) t.O t.K t.Stride t.Pad (b.ToArray())) (y.ToArray()))
        property 30 "forward matches the direct definition (float32)" convCase (fun t ->
            let x, w, b = randn t.Seed [| t.N; t.C; t.H; t.W |], randn (t.Seed + 1) [| t.O; t.C; t.K; t.K |], randn (t.Seed + 2) [| t.O |]
            let y = (x.Cast Float32).Conv2d(w.Cast Float32, b.Cast Float32, t.Stride, t.Pad)
            close 1e-4 "conv f32" (naive (x.ToArray()) t.N t.C t.H t.W (w.ToArray()) t.O t.K t.Stride t.Pad (b.ToArray())) (y.ToArray()))
        property 20 "gradcheck for input, weight and bias over strides and paddings" convCase (fun t ->
            let x, w, b = randn t.Seed [| t.N; t.C; t.H; t.W |], randn (t.Seed + 1) [| t.O; t.C; t.K; t.K |], randn (t.Seed + 2) [| t.O |]
            gradcheck "conv2d" (fun a -> weighted t.Seed (a[0].Conv2d(a[1], a[2], t.Stride, t.Pad))) [| x; w; b |]
            gradcheck "conv2d without bias" (fun a -> weighted t.Seed (a[0].Conv2d(a[1], null, t.Stride, t.Pad))) [| x; w |])
        test "a channel mismatch names both shapes" {
            throwsWith "does not match weight [4; 2; 3; 3]" (fun () ->
                (Tensor.Zeros [| 1; 3; 8; 8 |]).Conv2d(Tensor.Zeros [| 4; 2; 3; 3 |], null) |> ignore)
        }
    ]
