module InitLab.Kernel.Tests.Textbook.BookLossTests

open System
open Expecto
open FsCheck.FSharp
open InitLab.Kernel
open InitLab.Kernel.Textbook
open InitLab.Kernel.Tests.Check

// The chapter's examples: the target is "2"; y is confident in "2" or in "7".
let yTwo = [| 0.1; 0.05; 0.6; 0.0; 0.05; 0.1; 0.0; 0.1; 0.0; 0.0 |]
let ySeven = [| 0.1; 0.05; 0.1; 0.0; 0.05; 0.1; 0.0; 0.6; 0.0; 0.0 |]
let t2 = BookLosses.oneHot 10 2

/// A probability vector of `k` classes from a seed.
let probabilities (seed: int) (k: int) =
    let g = Generator(seed)
    let raw = Array.init k (fun _ -> g.NextDouble() + 1e-3)
    let s = Array.sum raw
    raw |> Array.map (fun v -> v / s)

[<Tests>]
let tests =
    testList "Textbook.BookLosses" [
        testCase "the chapter's worked values: SSE 0.0975 / 0.5975, CE 0.510 / 2.303" <| fun () ->
            Expect.floatClose Accuracy.high (BookLosses.sumSquares yTwo t2) 0.0975 "SSE, y peaks at 2"
            Expect.floatClose Accuracy.high (BookLosses.sumSquares ySeven t2) 0.5975 "SSE, y peaks at 7"
            Expect.equal (Math.Round(BookLosses.crossEntropy yTwo t2, 3)) 0.511 "CE −log 0.6 = 0.5108 (the book truncates to 0.510)"
            Expect.isLessThan (abs (BookLosses.crossEntropy yTwo t2 - 0.510)) 1e-3 "CE within the book's printed digits"
            Expect.equal (Math.Round(BookLosses.crossEntropy ySeven t2, 3)) 2.303 "CE −log 0.1"

        testCase "δ keeps the cross-entropy finite when the target's probability is 0" <| fun () ->
            let y = [| 1.0; 0.0 |]
            let loss = BookLosses.crossEntropy y (BookLosses.oneHot 2 1)
            Expect.floatClose Accuracy.high loss (-Math.Log 1e-7) "−log δ"

        property 50 "integer labels give the one-hot value" (Gen.zip seed (Gen.choose (0, 9))) <| fun (s, label) ->
            let y = probabilities s 10
            Expect.floatClose Accuracy.veryHigh (BookLosses.crossEntropyOfLabel y label) (BookLosses.crossEntropy y (BookLosses.oneHot 10 label)) "same loss"

        property 30 "a mini-batch loss is the mean of the samples' losses, one-hot or integer labels" (Gen.zip seed (Gen.choose (1, 8))) <| fun (s, n) ->
            let ys = Array.init n (fun i -> probabilities (s + i) 10)
            let labels = Array.init n (fun i -> (s + 3 * i) % 10)
            let ts = labels |> Array.map (BookLosses.oneHot 10)
            let meanCe = Array.map2 BookLosses.crossEntropy ys ts |> Array.average
            let meanSse = Array.map2 BookLosses.sumSquares ys ts |> Array.average
            Expect.floatClose Accuracy.veryHigh (BookLosses.crossEntropyBatch ys ts) meanCe "one-hot batch"
            Expect.floatClose Accuracy.veryHigh (BookLosses.crossEntropyBatchOfLabels ys labels) meanCe "label batch"
            Expect.floatClose Accuracy.veryHigh (BookLosses.sumSquaresBatch ys ts) meanSse "SSE batch"

        testCase "the tensor forms agree with the array forms, single and batch" <| fun () ->
            let tt = Tensor.OfArray t2
            Expect.floatClose Accuracy.high (BookLosses.sumSquaresTensor (Tensor.OfArray yTwo) tt).Item 0.0975 "SSE tensor"
            Expect.floatClose Accuracy.high (BookLosses.crossEntropyTensor (Tensor.OfArray ySeven) tt).Item (BookLosses.crossEntropy ySeven t2) "CE tensor"
            let yb = Tensor.OfArray(Array.append yTwo ySeven, [| 2; 10 |])
            let tb = Tensor.OfArray(Array.append t2 t2, [| 2; 10 |])
            Expect.floatClose Accuracy.high (BookLosses.crossEntropyTensor yb tb).Item (BookLosses.crossEntropyBatch [| yTwo; ySeven |] [| t2; t2 |]) "CE batch tensor"

        testCase "the tensor cross-entropy differentiates to −t / (N·(y + δ))" <| fun () ->
            let y = Tensor.OfArray(Array.append yTwo ySeven, [| 2; 10 |]).RequireGrad()
            let t = Tensor.OfArray(Array.append t2 (BookLosses.oneHot 10 7), [| 2; 10 |])
            (BookLosses.crossEntropyTensor y t).Backward()
            let expected = Array.map2 (fun (yv: float) tv -> -tv / (2.0 * (yv + BookLosses.Delta))) (y.ToArray()) (t.ToArray())
            Expect.sequenceEqual (y.Grad.ToArray() |> Array.map (fun v -> Math.Round(v, 9))) (expected |> Array.map (fun v -> Math.Round(v, 9))) "gradient"

        testCase "mismatched or impossible inputs are named" <| fun () ->
            let e = Expect.throwsC (fun () -> BookLosses.sumSquares [| 0.5; 0.5 |] t2 |> ignore) id
            Expect.stringContains e.Message "2 values but t has 10" "lengths named"
            let e = Expect.throwsC (fun () -> BookLosses.crossEntropyOfLabel yTwo 10 |> ignore) id
            Expect.stringContains e.Message "label 10" "label named"
            let e = Expect.throwsC (fun () -> BookLosses.crossEntropyBatchOfLabels [| yTwo |] [| 1; 2 |] |> ignore) id
            Expect.stringContains e.Message "1 predictions but 2 targets" "counts named"
            let e = Expect.throwsC (fun () -> BookLosses.crossEntropyTensor (Tensor.Zeros [| 2; 3 |]) (Tensor.Zeros [| 3; 2 |]) |> ignore) id
            Expect.stringContains e.Message "[2; 3]" "shape named"
    ]
