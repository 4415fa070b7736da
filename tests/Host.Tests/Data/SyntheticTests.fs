module InitLab.Host.Tests.Data.SyntheticTests

open System
open Expecto
open InitLab.Data

/// Multinomial logistic regression by plain SGD: a stand-in for "a tiny model can learn it".
let private trainSoftmax (data: DataSet) epochs =
    let d, k = data.ImageSize, data.ClassCount
    let x = data.ToFloats PixelScale.Unit255
    let w = Array2D.zeroCreate<float32> k (d + 1)
    let rng = Random 1
    let logits = Array.zeroCreate<float32> k
    for _ in 1 .. epochs do
        for i in Array.init data.Count id |> Array.sortBy (fun _ -> rng.Next()) do
            let o = i * d
            for c in 0 .. k - 1 do
                let mutable s = w[c, d]
                for j in 0 .. d - 1 do s <- s + w[c, j] * x[o + j]
                logits[c] <- s
            let m = Array.max logits
            let e = logits |> Array.map (fun v -> exp (v - m))
            let z = Array.sum e
            for c in 0 .. k - 1 do
                let g = e[c] / z - (if c = data.Labels[i] then 1.0f else 0.0f)
                let lr = 0.05f
                for j in 0 .. d - 1 do w[c, j] <- w[c, j] - lr * g * x[o + j]
                w[c, d] <- w[c, d] - lr * g
    fun (t: DataSet) ->
        let xt = t.ToFloats PixelScale.Unit255
        let correct =
            [ for i in 0 .. t.Count - 1 ->
                let o = i * d
                let scores = Array.init k (fun c -> let mutable s = w[c, d] in (for j in 0 .. d - 1 do s <- s + w[c, j] * xt[o + j]); s)
                if Array.findIndex ((=) (Array.max scores)) scores = t.Labels[i] then 1 else 0 ]
        float (List.sum correct) / float t.Count

[<Tests>]
let tests =
    testList "Data.Synthetic" [
        testCase "same seed gives identical images; another seed differs" <| fun () ->
            let a = SyntheticDigits.Generate(200, 5)
            let b = SyntheticDigits.Generate(200, 5)
            let c = SyntheticDigits.Generate(200, 6)
            Expect.sequenceEqual a.Pixels b.Pixels "deterministic"
            Expect.sequenceEqual a.Labels b.Labels "labels deterministic"
            Expect.equal a.Fingerprint b.Fingerprint "fingerprint"
            Expect.isFalse (a.Pixels = c.Pixels) "seed matters"

        testCase "balanced labels, MNIST-like shape and ink" <| fun () ->
            let s = SyntheticDigits.Generate(1003, 1)
            Expect.equal (s.Channels, s.Height, s.Width) (1, 28, 28) "shape"
            let counts = s.ClassCounts()
            Expect.isTrue (Array.forall (fun c -> c = 100 || c = 101) counts) $"balanced: %A{counts}"
            for i in 0 .. s.Count - 1 do
                let img = s.Image(i).ToArray()
                Expect.isGreaterThan (int (Array.max img)) 150 $"image {i} has strong ink"
                Expect.equal img[0] 0uy $"image {i} corner is background"
                let struct (cx, cy) = DigitNormalizer.CentreOfMass(ReadOnlySpan img, 28, 28)
                Expect.isTrue (abs (cx - 14.0) < 5.0 && abs (cy - 14.0) < 5.0) $"image {i} roughly centred ({cx},{cy})"

        testCase "a linear classifier learns it (held-out accuracy > 90%)" <| fun () ->
            let train = SyntheticDigits.Generate(3000, 11)
            let test = SyntheticDigits.Generate(1000, 12)
            let accuracy = trainSoftmax train 4 test
            printfn "synthetic digits: softmax regression held-out accuracy %.3f" accuracy
            Expect.isGreaterThan accuracy 0.9 "learnable"

        testCase "impossible options are rejected" <| fun () ->
            Expect.throwsT<ArgumentException> (fun () -> SyntheticDigits.Generate(10, 1, SyntheticDigitsOptions(MinScale = 2.0, MaxScale = 1.0)) |> ignore) "scale range"
            Expect.throwsT<ArgumentOutOfRangeException> (fun () -> SyntheticDigits.Generate(-1, 1) |> ignore) "count"
            Expect.throwsT<ArgumentException> (fun () -> SyntheticDigits.Generate(10, 1, SyntheticDigitsOptions(MaxShear = nan)) |> ignore) "NaN shear"
            Expect.throwsT<ArgumentException> (fun () -> SyntheticDigits.Generate(10, 1, SyntheticDigitsOptions(MaxScale = infinity)) |> ignore) "infinite scale"
    ]
