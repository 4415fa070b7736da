module InitLab.Host.Tests.Data.TransformTests

open System
open Expecto
open InitLab.Data

/// A w×h white image with a black (dark ink) filled ellipse centred at (cx, cy) with radii rx, ry.
let private inkEllipse w h (cx: float) (cy: float) (rx: float) (ry: float) =
    Array.init (w * h) (fun i ->
        let x, y = float (i % w) + 0.5, float (i / w) + 0.5
        if ((x - cx) / rx) ** 2.0 + ((y - cy) / ry) ** 2.0 <= 1.0 then 0uy else 255uy)

/// Bounding box (width, height) of pixels above `t`.
let private bbox (img: byte[]) side t =
    let xs = [ for i in 0 .. img.Length - 1 do if img[i] > t then yield i % side ]
    let ys = [ for i in 0 .. img.Length - 1 do if img[i] > t then yield i / side ]
    List.max xs - List.min xs + 1, List.max ys - List.min ys + 1

[<Tests>]
let tests =
    testList "Data.Transforms" [
        testCase "float scales: 1/255 maps 255 to 1, 1/256 is exact" <| fun () ->
            let bytes = Array.init 256 byte
            let u = Array.zeroCreate 256
            let c = Array.zeroCreate 256
            PixelTransforms.ToFloat(ReadOnlySpan bytes, Span u, PixelScale.Unit255)
            PixelTransforms.ToFloat(ReadOnlySpan bytes, Span c, PixelScale.Caffe256)
            Expect.equal u[255] 1.0f "255/255"
            for v in 0 .. 255 do
                Expect.floatClose Accuracy.high (float u[v]) (float v / 255.0) $"unit {v}"
                Expect.equal (c[v] * 256.0f) (float32 v) $"caffe {v} exact"

        testCase "inversion is an involution and swaps black and white" <| fun () ->
            let a = Array.init 256 byte
            let b = Array.copy a
            PixelTransforms.Invert(Span b)
            Expect.equal b[0] 255uy "0 -> 255"
            Expect.equal b[200] 55uy "200 -> 55"
            PixelTransforms.Invert(Span b)
            Expect.sequenceEqual b a "twice = identity"

        testCase "luma follows BT.601 (exact decimal reference), planar = interleaved" <| fun () ->
            let rng = Random 3
            let n = 500
            let rgb = Array.init (3 * n) (fun _ -> byte (rng.Next 256))
            let planar = Array.init (3 * n) (fun k -> let plane, i = k / n, k % n in rgb[3 * i + plane])
            let g1 = Array.zeroCreate n
            let g2 = Array.zeroCreate n
            PixelTransforms.LumaInterleaved(ReadOnlySpan rgb, 3, Span g1)
            PixelTransforms.LumaPlanar(ReadOnlySpan planar, Span g2)
            for i in 0 .. n - 1 do
                let r, g, b = decimal rgb[3 * i], decimal rgb[3 * i + 1], decimal rgb[3 * i + 2]
                let y = Math.Round(0.299m * r + 0.587m * g + 0.114m * b, MidpointRounding.AwayFromZero)
                Expect.equal (decimal g1[i]) y $"pixel {i}"
            Expect.sequenceEqual g2 g1 "planar and interleaved agree"

        testCase "normaliser: dark off-centre blob ends up centred by mass, fitted into 20 px" <| fun () ->
            let img = inkEllipse 300 200 70.0 150.0 30.0 45.0
            let out = DigitNormalizer.Normalize(ReadOnlySpan img, 300, 200, DigitNormalizerOptions(Polarity = InkPolarity.Dark))
            let struct (cx, cy) = DigitNormalizer.CentreOfMass(ReadOnlySpan out, 28, 28)
            Expect.isLessThan (abs (cx - 14.0)) 0.5 $"cx {cx}"
            Expect.isLessThan (abs (cy - 14.0)) 0.5 $"cy {cy}"
            let bw, bh = bbox out 28 0uy
            Expect.isTrue (bh >= 19 && bh <= 21) $"tall side ~20, got {bh}"
            // aspect 60:90 kept: width about 2/3 of 20
            Expect.isTrue (bw >= 13 && bw <= 15) $"width ~13.3, got {bw}"
            Expect.equal (Array.max out) 255uy "contrast stretched"

        testCase "normaliser: Auto polarity treats dark ink like its inverse in light ink" <| fun () ->
            let dark = inkEllipse 120 90 50.0 40.0 20.0 30.0
            let light = Array.map (fun v -> 255uy - v) dark
            let a = DigitNormalizer.Normalize(ReadOnlySpan dark, 120, 90)
            let b = DigitNormalizer.Normalize(ReadOnlySpan light, 120, 90)
            let c = DigitNormalizer.Normalize(ReadOnlySpan light, 120, 90, DigitNormalizerOptions(Polarity = InkPolarity.Light))
            Expect.sequenceEqual a b "auto: same result for both polarities"
            Expect.sequenceEqual b c "auto = explicit light"
            Expect.isGreaterThan (int a[14 * 28 + 14]) 200 "ink is bright at the centre"
            Expect.equal a[0] 0uy "background is black"

        testCase "normaliser: wide stroke keeps aspect ratio (20 wide, about 4 high)" <| fun () ->
            let img = Array.init (200 * 100) (fun i -> let x, y = i % 200, i / 200 in if x >= 50 && x < 150 && y >= 40 && y < 60 then 0uy else 255uy)
            let out = DigitNormalizer.Normalize(ReadOnlySpan img, 200, 100)
            let bw, bh = bbox out 28 127uy
            Expect.equal bw 20 "width fills the box"
            Expect.isTrue (bh >= 4 && bh <= 5) $"height 4 (+1 for a straddled pixel), got {bh}"

        testCase "normaliser: blank image gives all zeros; bad shape is rejected" <| fun () ->
            let out = DigitNormalizer.Normalize(ReadOnlySpan(Array.create 100 255uy), 10, 10)
            Expect.isTrue (Array.forall ((=) 0uy) out) "blank"
            Expect.throwsT<ArgumentException> (fun () -> DigitNormalizer.Normalize(ReadOnlySpan(Array.zeroCreate 99), 10, 10) |> ignore) "shape"
            Expect.throwsT<ArgumentException> (fun () -> DigitNormalizer.Normalize(ReadOnlySpan(Array.zeroCreate 100), 10, 10, DigitNormalizerOptions(BoundingBoxThreshold = nan)) |> ignore) "NaN threshold"
            Expect.throwsT<ArgumentException> (fun () -> DigitNormalizer.Normalize(ReadOnlySpan(Array.zeroCreate 100), 10, 10, DigitNormalizerOptions(Box = 30)) |> ignore) "box > size"
    ]
