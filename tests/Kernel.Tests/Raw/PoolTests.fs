module InitLab.Kernel.Tests.Raw.PoolTests

open System
open Expecto
open InitLab.Kernel.Raw
open InitLab.Kernel.Tests.Raw.Reference

type PoolShape = { N: int; C: int; H: int; W: int; K: int; S: int; Seed: int }

let shapeOf (n: int) c h w k s seed =
    let pick v cap = 1 + abs v % cap
    let h, w = pick h 12, pick w 40
    { N = pick n 3; C = pick c 4; H = h; W = w; K = min (pick k 4) (min h w); S = pick s 3; Seed = seed }

let checkMax (p: PoolShape) =
    let rng = Random p.Seed
    let x = rand rng (p.N * p.C * p.H * p.W)
    let ey, eam = maxPool x p.N p.C p.H p.W p.K p.S
    let y, am = Array.create ey.Length nan, Array.create ey.Length -1
    Pool2d.MaxForward(x, p.N, p.C, p.H, p.W, p.K, p.S, y, am)
    Expect.equal y ey (sprintf "f64 max values %A" p)
    Expect.equal am eam (sprintf "f64 argmax %A" p)
    let y32, am32 = Array.zeroCreate ey.Length, Array.zeroCreate ey.Length
    Pool2d.MaxForward(toF32 x, p.N, p.C, p.H, p.W, p.K, p.S, y32, am32)
    Expect.equal y32 (toF32 ey) (sprintf "f32 max values %A" p)
    Expect.equal am32 eam (sprintf "f32 argmax %A" p)
    // backward scatters dy onto the argmax positions, adding to what dx holds
    let dy = rand rng ey.Length
    let dx0 = rand rng x.Length
    let expected = Array.copy dx0
    for i in 0 .. dy.Length - 1 do expected.[eam.[i]] <- expected.[eam.[i]] + dy.[i]
    let dx = Array.copy dx0
    Pool2d.MaxBackward(dy, am, dy.Length, dx)
    expectClose "f64 max backward" dx expected (fun _ -> 1e-15)
    let dx32 = toF32 dx0
    Pool2d.MaxBackward(toF32 dy, am32, dy.Length, dx32)
    expectClose "f32 max backward" (toF64 dx32) expected (fun i -> 1e-6 * (abs expected.[i] + 1.0))

let checkAvg (p: PoolShape) =
    let rng = Random p.Seed
    let x = rand rng (p.N * p.C * p.H * p.W)
    let ey = avgPool x p.N p.C p.H p.W p.K p.S
    let y = Array.zeroCreate ey.Length
    Pool2d.AvgForward(x, p.N, p.C, p.H, p.W, p.K, p.S, y)
    expectClose (sprintf "f64 avg %A" p) y ey (fun _ -> 1e-15)
    let y32 = Array.zeroCreate ey.Length
    Pool2d.AvgForward(toF32 x, p.N, p.C, p.H, p.W, p.K, p.S, y32)
    expectClose (sprintf "f32 avg %A" p) (toF64 y32) ey (fun _ -> 1e-6)
    let dy = rand rng ey.Length
    let dx0 = rand rng x.Length
    let edx = Array.map2 (+) dx0 (avgPoolBackward dy p.N p.C p.H p.W p.K p.S)
    let dx = Array.copy dx0
    Pool2d.AvgBackward(dy, p.N, p.C, p.H, p.W, p.K, p.S, dx)
    expectClose (sprintf "f64 avg backward %A" p) dx edx (fun _ -> 1e-14)
    let dx32 = toF32 dx0
    Pool2d.AvgBackward(toF32 dy, p.N, p.C, p.H, p.W, p.K, p.S, dx32)
    expectClose (sprintf "f32 avg backward %A" p) (toF64 dx32) edx (fun _ -> 1e-5)

let config = InitLab.Tests.FsCheckSeed.config 60

[<Tests>]
let tests =
    testList "Raw.Pool2d" [
        testPropertyWithConfig config "max forward/backward match the naive loops (random shapes)"
            (fun n c h w k s seed -> checkMax (shapeOf n c h w k s seed))
        testPropertyWithConfig config "average forward/backward match the naive loops (random shapes)"
            (fun n c h w k s seed -> checkAvg (shapeOf n c h w k s seed))
        testCase "LeNet pool sizes (enough planes to split across workers)" <| fun () ->
            checkMax { N = 64; C = 20; H = 24; W = 24; K = 2; S = 2; Seed = 5 }
            checkAvg { N = 64; C = 50; H = 8; W = 8; K = 2; S = 2; Seed = 6 }
        testCase "max pooling propagates NaN" <| fun () ->
            let x = [| 1.0f; nanf; 3.0f; 2.0f |]
            let y, am = Array.zeroCreate 1, Array.zeroCreate 1
            Pool2d.MaxForward(x, 1, 1, 2, 2, 2, 2, y, am)
            Expect.isTrue (Single.IsNaN y.[0]) "NaN wins"
            Expect.equal am.[0] 1 "argmax points at the NaN"
        testCase "max pooling ties pick the first element in window order (f32 2×2 fast path, f64)" <| fun () ->
            // windows: all equal; top-right equals bottom-left; bottom row wins only when strictly bigger
            let x = [| 5.0f; 5.0f; 1.0f; 3.0f; 0.0f; 2.0f
                       5.0f; 5.0f; 3.0f; 0.0f; 2.0f; 2.0f |]
            let y, am = Array.zeroCreate 3, Array.zeroCreate 3
            Pool2d.MaxForward(x, 1, 1, 2, 6, 2, 2, y, am)
            Expect.equal am [| 0; 3; 5 |] "f32 argmax"
            Expect.equal y [| 5.0f; 3.0f; 2.0f |] "f32 values"
            let y64, am64 = Array.zeroCreate 3, Array.zeroCreate 3
            Pool2d.MaxForward(Array.map float x, 1, 1, 2, 6, 2, 2, y64, am64)
            Expect.equal am64 am "f64 argmax agrees"
        testCase "max pooling propagates NaN from inside a vectorised row and matches elsewhere" <| fun () ->
            let rng = Random 9
            let w = 40
            let x = rand32 rng (2 * w)
            x.[5] <- nanf
            let y, am = Array.zeroCreate 20, Array.zeroCreate 20
            Pool2d.MaxForward(x, 1, 1, 2, w, 2, 2, y, am)
            Expect.isTrue (Single.IsNaN y.[2]) "window with the NaN"
            Expect.equal am.[2] 5 "argmax points at the NaN"
            let ey, eam = maxPool (toF64 x) 1 1 2 w 2 2
            for i in 0 .. 19 do
                if i <> 2 then
                    Expect.equal am.[i] eam.[i] (sprintf "argmax of window %d" i)
                    Expect.equal (float y.[i]) ey.[i] (sprintf "value of window %d" i)
        testCase "MaxBackward names a bad argmax index" <| fun () ->
            try
                Pool2d.MaxBackward([| 1.0f |], [| 7 |], 1, Array.zeroCreate 4)
                failtest "expected an ArgumentException"
            with :? ArgumentException as e ->
                Expect.stringContains e.Message "argmax[0] = 7" "names index and value"
        testCase "MaxForward rejects a kernel larger than the input" <| fun () ->
            Expect.throwsT<ArgumentException> (fun () ->
                Pool2d.MaxForward(Array.zeroCreate<float32> 4, 1, 1, 2, 2, 3, 1, Array.zeroCreate 1, Array.zeroCreate 1))
                "3×3 window on 2×2 input"
    ]
