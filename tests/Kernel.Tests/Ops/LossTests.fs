module InitLab.Kernel.Tests.Ops.LossTests

open Expecto
open FsCheck.FSharp
open InitLab.Kernel
open InitLab.Kernel.Ops
open InitLab.Kernel.Tests.Check

/// Logits [n; c], labels and a seed.
let batch =
    gen {
        let! n = dim 1 6
        let! c = dim 2 7
        let! s = seed
        let g = Generator(s)
        return randn s [| n; c |] * 3.0, Array.init n (fun _ -> g.NextInt c), s
    }

let probabilities (s: int) (shape: int[]) = (randn s shape).Softmax 1

[<Tests>]
let tests =
    testList "ops.losses" [
        property 50 "cross-entropy is ≥ 0" batch (fun (z, y, _) ->
            Expect.isGreaterThanOrEqual (z.CrossEntropy(y).Item) 0.0 "non-negative")
        property 50 "cross-entropy is unchanged when a constant is added to all logits" batch (fun (z, y, s) ->
            let shift = float (s % 1000) - 500.0
            Expect.floatClose Accuracy.high (z.CrossEntropy(y).Item) ((z + shift).CrossEntropy(y).Item) "shift invariance")
        property 50 "cross-entropy equals −log of the true-class softmax probability" batch (fun (z, y, _) ->
            let p = z.Softmax(1).ToArray()
            let c = z.Shape[1]
            let expected = y |> Array.mapi (fun i yi -> -log p[i * c + yi]) |> Array.average
            Expect.floatClose Accuracy.high (z.CrossEntropy(y).Item) expected "−log p")
        property 50 "fused cross-entropy equals log-softmax + NLL (mean and sum)" batch (fun (z, y, _) ->
            Expect.floatClose Accuracy.high (z.CrossEntropy(y, Mean).Item) (z.LogSoftmax(1).Nll(y, Mean).Item) "mean"
            Expect.floatClose Accuracy.high (z.CrossEntropy(y, Sum).Item) (z.LogSoftmax(1).Nll(y, Sum).Item) "sum")
        property 30 "one-hot targets give the same loss as integer labels" batch (fun (z, y, _) ->
            let c = z.Shape[1]
            let onehot = Tensor.OfArray(Array.init (y.Length * c) (fun i -> if i % c = y[i / c] then 1.0 else 0.0), [| y.Length; c |])
            Expect.floatClose Accuracy.high (z.CrossEntropy(onehot).Item) (z.CrossEntropy(y).Item) "one-hot")
        property 20 "cross-entropy gradchecks: labels and probability targets, mean and sum" batch (fun (z, y, s) ->
            gradcheck "ce labels mean" (fun t -> t[0].CrossEntropy(y, Mean)) [| z |]
            gradcheck "ce labels sum" (fun t -> t[0].CrossEntropy(y, Sum)) [| z.Clone() |]
            let target = probabilities s z.Shape
            gradcheck "ce probabilities" (fun t -> t[0].CrossEntropy(t[1], Mean)) [| z.Clone(); target |]
            gradcheck "nll" (fun t -> t[0].LogSoftmax(1).Nll(y, Mean)) [| z.Clone() |])
        property 50 "MSE is ≥ 0, and 0 only at equality" (Gen.zip (shapeOfRank 1 4 2) seed) (fun (shape, s) ->
            let a, b = randn s shape, randn (s + 1) shape
            Expect.isGreaterThan (a.Mse(b).Item) 0.0 "positive for different tensors"
            Expect.equal (a.Mse(a.Clone()).Item) 0.0 "zero at equality")
        property 20 "MSE and sum of squares gradcheck" (Gen.zip (shapeOfRank 1 4 2) seed) (fun (shape, s) ->
            gradcheck "mse" (fun t -> t[0].Mse(t[1])) [| randn s shape; randn (s + 1) shape |]
            gradcheck "sse" (fun t -> t[0].SumSquares(t[1])) [| randn s shape; randn (s + 1) shape |])
        property 20 "dropout: gradcheck with a fixed mask, identity in evaluation" (Gen.zip (shapeOfRank 1 5 2) seed) (fun (shape, s) ->
            gradcheck "dropout" (fun t -> weighted s (t[0].Dropout(0.4, true, Generator(s)))) [| randn s shape |]
            let x = randn s shape
            Expect.equal (x.Dropout(0.4, false, Generator(s)).ToArray()) (x.ToArray()) "eval is identity")
        test "dropout keeps about 1−p of the elements and scales them by 1/(1−p)" {
            let x = Tensor.Ones([| 100_000 |], Float64)
            let y = x.Dropout(0.25, true, Generator(1)).ToArray()
            let kept = y |> Array.filter (fun v -> v <> 0.0)
            Expect.isTrue (kept |> Array.forall (fun v -> abs (v - 1.0 / 0.75) < 1e-12)) "scale"
            // binomial: sd of the kept fraction is √(0.75·0.25/1e5) ≈ 0.0014
            Expect.floatClose { absolute = 0.007; relative = 0.0 } (float kept.Length / 1e5) 0.75 "kept fraction"
        }
        test "the dropout mask is the scalar stream's NextDouble() < p, bit for bit, and advances it as far" {
            // FillMask mixes eight draws per 512-bit lane; every length (vector body and tail), counter and p
            // must give what one NextDouble() per element gives, and leave the generator where those calls would
            for p in [ 0.0; 0.25; 0.5; 0.9; 1.0; 1.0 / 3.0 ] do
                for length in [ 0; 1; 7; 15; 16; 17; 31; 33; 100 ] do
                    for skip in [ 0; 3 ] do
                        let fast, slow = Generator(11), Generator(11)
                        for _ in 1 .. skip do fast.NextUInt64() |> ignore; slow.NextUInt64() |> ignore
                        let mask32 = Array.zeroCreate<float32> length
                        fast.FillMask(System.Span mask32, p, 2.0f)
                        let expected = Array.init length (fun _ -> if slow.NextDouble() < p then 0.0f else 2.0f)
                        Expect.equal mask32 expected $"float32 mask p={p} length={length} skip={skip}"
                        Expect.equal fast.Counter slow.Counter "the stream advanced by the mask's length"
                        let mask64 = Array.zeroCreate<float> length
                        fast.FillMask(System.Span mask64, p, 2.0)
                        let expected64 = Array.init length (fun _ -> if slow.NextDouble() < p then 0.0 else 2.0)
                        Expect.equal mask64 expected64 $"float64 mask p={p} length={length} skip={skip}"
            throwsWith "mask probability NaN is outside [0, 1]" (fun () -> Generator(1).FillMask(System.Span(Array.zeroCreate<float32> 4), nan, 1.0f))
        }
        test "a label out of range names the label and the row" {
            throwsWith "label 7 at row 1 is outside 0..2" (fun () -> (Tensor.Zeros [| 2; 3 |]).CrossEntropy [| 0; 7 |] |> ignore)
        }
    ]
