module InitLab.Kernel.Tests.Raw.ConvTests

open System
open System.Threading.Tasks
open Expecto
open InitLab.Kernel.Raw
open InitLab.Kernel.Tests.Raw.Reference

type Shape = { N: int; C: int; H: int; W: int; OC: int; KH: int; KW: int; S: int; P: int; Bias: bool; Seed: int }

/// Maps arbitrary ints onto a valid small convolution (stride 1–3, pad 0–2, kernel fits the padded input).
let shapeOf (v: int[]) (bias: bool) (seed: int) =
    let pick i cap = 1 + abs v.[i] % cap
    let h, w, p = pick 2 11, pick 3 11, abs v.[7] % 3
    { N = pick 0 4; C = pick 1 4; H = h; W = w; OC = pick 4 6
      KH = min (pick 5 5) (h + 2 * p); KW = min (1 + abs seed % 5) (w + 2 * p)
      S = pick 6 3; P = p; Bias = bias; Seed = seed }

let lenetConv2 = { N = 5; C = 20; H = 12; W = 12; OC = 50; KH = 5; KW = 5; S = 1; P = 0; Bias = true; Seed = 3 }
let lenetConv1 = { N = 9; C = 1; H = 28; W = 28; OC = 20; KH = 5; KW = 5; S = 1; P = 0; Bias = true; Seed = 4 }

let data (s: Shape) =
    let rng = Random s.Seed
    let oh, ow = outSize s.H s.KH s.S s.P, outSize s.W s.KW s.S s.P
    let x = rand rng (s.N * s.C * s.H * s.W)
    let wt = rand rng (s.OC * s.C * s.KH * s.KW)
    let bias = if s.Bias then rand rng s.OC else null
    let dy = rand rng (s.N * s.OC * oh * ow)
    x, wt, bias, dy, oh, ow

/// Σ|terms| of each direct-convolution sum, which bounds float32 rounding.
let magnitudes (s: Shape) (x: float[]) (wt: float[]) (bias: float[]) (dy: float[]) =
    let ax, aw, ady = Array.map abs x, Array.map abs wt, Array.map abs dy
    let ab = if isNull (box bias) then null else Array.map abs bias
    let y = convForward ax s.N s.C s.H s.W aw s.OC s.KH s.KW s.S s.P ab
    let dx, dw, db = convBackward ax s.N s.C s.H s.W aw s.OC s.KH s.KW s.S s.P ady
    y, dx, dw, db

let checkF64 (s: Shape) =
    let x, wt, bias, dy, oh, ow = data s
    let y = Array.create (s.N * s.OC * oh * ow) nan
    Conv2d.Forward(x, s.N, s.C, s.H, s.W, wt, s.OC, s.KH, s.KW, s.S, s.P, bias, y)
    let my, mdx, mdw, mdb = magnitudes s x wt bias dy
    let tight (m: float[]) i = 1e-14 * (m.[i] + 1e-300)
    expectClose (sprintf "f64 forward %A" s) y (convForward x s.N s.C s.H s.W wt s.OC s.KH s.KW s.S s.P bias) (tight my)
    // gradients accumulate into whatever the arrays hold
    let rng = Random(s.Seed + 99)
    let dx0, dw0, db0 = rand rng x.Length, rand rng wt.Length, rand rng s.OC
    let dx, dw, db = Array.copy dx0, Array.copy dw0, Array.copy db0
    Conv2d.Backward(x, s.N, s.C, s.H, s.W, wt, s.OC, s.KH, s.KW, s.S, s.P, dy, dx, dw, db)
    let edx, edw, edb = convBackward x s.N s.C s.H s.W wt s.OC s.KH s.KW s.S s.P dy
    let plus (a: float[]) (b: float[]) = Array.map2 (+) a b
    let tightAcc (m: float[]) i = 1e-14 * (m.[i] + 1.0)
    expectClose (sprintf "f64 dx %A" s) dx (plus dx0 edx) (tightAcc mdx)
    expectClose (sprintf "f64 dw %A" s) dw (plus dw0 edw) (tightAcc mdw)
    expectClose (sprintf "f64 db %A" s) db (plus db0 edb) (tightAcc mdb)

let checkF32 (s: Shape) (withDx: bool) =
    let x, wt, bias, dy, oh, ow = data s
    let x, wt, dy = toF64 (toF32 x), toF64 (toF32 wt), toF64 (toF32 dy)
    let bias = if isNull (box bias) then null else toF64 (toF32 bias)
    let y32 = Array.create (s.N * s.OC * oh * ow) nanf
    Conv2d.Forward(toF32 x, s.N, s.C, s.H, s.W, toF32 wt, s.OC, s.KH, s.KW, s.S, s.P, (if isNull (box bias) then null else toF32 bias), y32)
    let my, mdx, mdw, mdb = magnitudes s x wt bias dy
    let k = float (s.C * s.KH * s.KW + s.N * oh * ow + 4)
    let loose (m: float[]) i = 2e-7 * k * m.[i] + 1e-30
    expectClose (sprintf "f32 forward %A" s) (toF64 y32) (convForward x s.N s.C s.H s.W wt s.OC s.KH s.KW s.S s.P bias) (loose my)
    let dx32 = if withDx then Array.zeroCreate x.Length else null
    let dw32, db32 = Array.zeroCreate wt.Length, Array.zeroCreate s.OC
    Conv2d.Backward(toF32 x, s.N, s.C, s.H, s.W, toF32 wt, s.OC, s.KH, s.KW, s.S, s.P, toF32 dy, dx32, dw32, db32)
    let edx, edw, edb = convBackward x s.N s.C s.H s.W wt s.OC s.KH s.KW s.S s.P dy
    if withDx then expectClose (sprintf "f32 dx %A" s) (toF64 dx32) edx (loose mdx)
    expectClose (sprintf "f32 dw %A" s) (toF64 dw32) edw (loose mdw)
    expectClose (sprintf "f32 db %A" s) (toF64 db32) edb (loose mdb)

let config = InitLab.Tests.FsCheckSeed.config 60

[<Tests>]
let tests =
    testList "Raw.Conv2d" [
        testPropertyWithConfig config "f64 forward and backward match direct convolution (random shapes)"
            (fun (a: int) b c d e f g h bias seed -> checkF64 (shapeOf [| a; b; c; d; e; f; g; h |] bias seed))
        testPropertyWithConfig config "f32 forward and backward match direct convolution (random shapes)"
            (fun (a: int) b c d e f g h bias seed -> checkF32 (shapeOf [| a; b; c; d; e; f; g; h |] bias seed) true)
        testCase "LeNet conv1 (no dx) and conv2 shapes, f32 and f64" <| fun () ->
            checkF32 lenetConv1 false
            checkF32 lenetConv2 true
            checkF64 { lenetConv2 with N = 2 }
        testCase "a single large image (GEMMs parallelised inside instead of by image)" <| fun () ->
            let s = { N = 1; C = 8; H = 32; W = 30; OC = 16; KH = 3; KW = 3; S = 1; P = 1; Bias = true; Seed = 12 }
            checkF32 s true
        testCase "many images per worker (several unfold groups), stride 2, pad 1" <| fun () ->
            let s = { N = 23; C = 3; H = 9; W = 7; OC = 4; KH = 3; KW = 2; S = 2; P = 1; Bias = true; Seed = 11 }
            checkF32 s true
            checkF64 s
        testCase "Forward names the expected shape when x is too short" <| fun () ->
            try
                Conv2d.Forward(Array.zeroCreate<float32> 10, 2, 1, 4, 4, Array.zeroCreate 9, 1, 3, 3, 1, 0, null, Array.zeroCreate 8)
                failtest "expected an ArgumentException"
            with :? ArgumentException as e ->
                Expect.stringContains e.Message "2·1·4·4 = 32" "n·c·h·w spelled out"
        testCase "Forward rejects a kernel larger than the padded input" <| fun () ->
            Expect.throwsT<ArgumentException> (fun () ->
                Conv2d.Forward(Array.zeroCreate<float> 9, 1, 1, 3, 3, Array.zeroCreate 25, 1, 5, 5, 1, 0, null, Array.zeroCreate 1))
                "5×5 kernel on 3×3 input"
    ]

[<Tests>]
let determinism =
    testSequenced <| testList "Raw.Conv2d determinism" [
        testCase "f32 forward and backward are bit-identical across calls and concurrent callers; y, dx across thread counts" <| fun () ->
            let s = { lenetConv2 with N = 16 }
            let x, wt, bias, dy, oh, ow = data s
            let x, wt, bias, dy = toF32 x, toF32 wt, toF32 bias, toF32 dy
            let run () =
                let y = Array.zeroCreate<float32> (s.N * s.OC * oh * ow)
                Conv2d.Forward(x, s.N, s.C, s.H, s.W, wt, s.OC, s.KH, s.KW, s.S, s.P, bias, y)
                let dx, dw, db = Array.zeroCreate<float32> x.Length, Array.zeroCreate<float32> wt.Length, Array.zeroCreate<float32> s.OC
                Conv2d.Backward(x, s.N, s.C, s.H, s.W, wt, s.OC, s.KH, s.KW, s.S, s.P, dy, dx, dw, db)
                Array.concat [ y; dx; dw; db ]
            let saved = Threads.Count
            let outputs () =
                let all = run ()
                all.[0 .. (s.N * s.OC * oh * ow + x.Length) - 1] // y and dx
            let byCount =
                try [ for t in [ 1; 2; 3 ] -> Threads.Count <- t; outputs () ]
                finally Threads.Count <- saved
            Expect.equal byCount.[1] byCount.[0] "y and dx with 2 workers equal 1 worker"
            Expect.equal byCount.[2] byCount.[0] "y and dx with 3 workers equal 1 worker"
            let first = run ()
            Expect.equal (run ()) first "second call"
            let both = [| Task.Run(fun () -> run ()); Task.Run(fun () -> run ()) |] |> Array.map (fun t -> t.Result)
            Expect.equal both.[0] first "concurrent caller 1"
            Expect.equal both.[1] first "concurrent caller 2"

        testCase "f32 dW and db are bit-identical across thread counts" <| fun () ->
            let differing = Collections.Generic.List<string>()
            for s in [ { lenetConv2 with N = 64 }; { lenetConv2 with N = 16 }; { lenetConv2 with N = 3 }; { lenetConv2 with N = 1 } ] do
                let x, wt, bias, dy, oh, ow = data s
                let x, wt, dy = toF32 x, toF32 wt, toF32 dy
                let weightGradients () =
                    let dx, dw, db = Array.zeroCreate<float32> x.Length, Array.zeroCreate<float32> wt.Length, Array.zeroCreate<float32> s.OC
                    Conv2d.Backward(x, s.N, s.C, s.H, s.W, wt, s.OC, s.KH, s.KW, s.S, s.P, dy, dx, dw, db)
                    dw, db
                let saved = Threads.Count
                let byCount =
                    try [ for t in [ 1; 2; 3; 4 ] -> t, (Threads.Count <- t; weightGradients ()) ]
                    finally Threads.Count <- saved
                let _, (dw1, db1) = byCount.Head
                for t, (dw, db) in byCount.Tail do
                    for name, a, b in [ "dW", dw, dw1; "db", db, db1 ] do
                        // Whatever the order of summation, every partial must be in: equal to float32 rounding.
                        for i in 0 .. a.Length - 1 do
                            if abs (a[i] - b[i]) > 1e-4f * (1.0f + abs b[i]) then
                                failtestf "N=%d: %s[%d] with %d workers is %g, with 1 worker %g" s.N name i t a[i] b[i]
                        let diff = Array.fold2 (fun k (p: float32) q -> if BitConverter.SingleToInt32Bits p <> BitConverter.SingleToInt32Bits q then k + 1 else k) 0 a b
                        if diff > 0 then differing.Add $"N={s.N} {name} with {t} workers: {diff} of {a.Length} elements"
            // The backward pass sums per-chunk partials in chunk order, chunks fixed by the batch alone.
            Expect.isEmpty differing "dW and db are bit-identical across 1-4 workers"
    ]
