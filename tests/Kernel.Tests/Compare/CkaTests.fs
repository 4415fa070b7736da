module InitLab.Kernel.Tests.Compare.CkaTests

open Expecto
open InitLab.Kernel
open InitLab.Kernel.Compare
open InitLab.Kernel.Tests
open InitLab.Kernel.Tests.Compare.CompareFixtures

let private randn (seed: int) n p = Tensor.RandN([| n; p |], Generator(seed), dtype = Float64)

/// Q = product of Householder reflections I − 2vvᵀ/‖v‖², orthogonal and dense.
let private orthogonal (seed: int) (p: int) =
    let g = Generator(seed)
    let mutable q = Array2D.init p p (fun i j -> if i = j then 1.0 else 0.0)
    for _ in 1 .. 3 do
        let v = Array.init p (fun _ -> g.NextNormal())
        let vv = Array.sumBy (fun x -> x * x) v
        let h = Array2D.init p p (fun i j -> (if i = j then 1.0 else 0.0) - 2.0 * v[i] * v[j] / vv)
        q <- Array2D.init p p (fun i j -> Seq.sum (seq { for k in 0 .. p - 1 -> q[i, k] * h[k, j] }))
    Tensor.OfArray(Array.init (p * p) (fun k -> q[k / p, k % p]), [| p; p |])

/// Independent reference: centred X, Y; biased CKA = ‖YᵀX‖²_F / (‖XᵀX‖_F ‖YᵀY‖_F).
let private naiveBiased (x: float[,]) (y: float[,]) =
    let n = x.GetLength 0
    let centre (m: float[,]) =
        let p = m.GetLength 1
        let means = Array.init p (fun j -> Seq.average (seq { for i in 0 .. n - 1 -> m[i, j] }))
        Array2D.init n p (fun i j -> m[i, j] - means[j])
    let x, y = centre x, centre y
    let cross (a: float[,]) (b: float[,]) =
        let s = ref 0.0
        for j in 0 .. a.GetLength 1 - 1 do
            for k in 0 .. b.GetLength 1 - 1 do
                let d = Seq.sum (seq { for i in 0 .. n - 1 -> a[i, j] * b[i, k] })
                s.Value <- s.Value + d * d
        s.Value
    cross x y / sqrt (cross x x * cross y y)

/// Independent reference: Song et al.'s unbiased HSIC written out term by term.
let private naiveDebiased (x: float[,]) (y: float[,]) =
    let n = x.GetLength 0
    let gram (m: float[,]) = Array2D.init n n (fun i j -> if i = j then 0.0 else Seq.sum (seq { for k in 0 .. m.GetLength 1 - 1 -> m[i, k] * m[j, k] }))
    let hsic (k: float[,]) (l: float[,]) =
        let trKL = Seq.sum (seq { for i in 0 .. n - 1 do for j in 0 .. n - 1 -> k[i, j] * l[j, i] })
        let sumK = Seq.sum (seq { for i in 0 .. n - 1 do for j in 0 .. n - 1 -> k[i, j] })
        let sumL = Seq.sum (seq { for i in 0 .. n - 1 do for j in 0 .. n - 1 -> l[i, j] })
        let kl1 = Seq.sum (seq { for i in 0 .. n - 1 do for j in 0 .. n - 1 do for m in 0 .. n - 1 -> k[i, j] * l[j, m] })
        let nf = float n
        (trKL + sumK * sumL / ((nf - 1.0) * (nf - 2.0)) - 2.0 / (nf - 2.0) * kl1) / (nf * (nf - 3.0))
    let k, l = gram x, gram y
    hsic k l / sqrt (hsic k k * hsic l l)

let private to2d (t: Tensor) =
    let v = t.ToArray()
    Array2D.init t.Shape[0] t.Shape[1] (fun i j -> v[i * t.Shape[1] + j])

[<Tests>]
let tests =
    testList "Compare.CKA" [
        testCase "equals independent term-by-term formulas (biased and debiased)" <| fun () ->
            for seed in 1 .. 4 do
                let x, y = randn seed 12 5, randn (seed + 50) 12 3 + (randn seed 12 5).Narrow(1, 0, 3)
                Expect.floatClose Accuracy.veryHigh (Cka.between Biased x y) (naiveBiased (to2d x) (to2d y)) "biased"
                Expect.floatClose Accuracy.veryHigh (Cka.between Debiased x y) (naiveDebiased (to2d x) (to2d y)) "debiased"

        testCase "CKA(X, XQ) = 1 for orthogonal Q and CKA(X, cX) = 1" <| fun () ->
            let x = randn 3 40 9
            let xq = x.Matmul(orthogonal 4 9)
            for est in [ Biased; Debiased ] do
                Expect.floatClose Accuracy.veryHigh (Cka.between est x xq) 1.0 $"{est}: rotation"
                Expect.floatClose Accuracy.veryHigh (Cka.between est x (x * -3.7)) 1.0 $"{est}: scaling"
                Expect.floatClose Accuracy.veryHigh (Cka.between est x (x + 5.0)) 1.0 $"{est}: shift (centred away)"
                Expect.isLessThan (Cka.between est x (randn 9 40 9)) 0.9 $"{est}: an unrelated X is not 1"

        testCase "independent random features score near 0, within bounds set by the probe count" <| fun () ->
            // X [n; p], Y [n; q] independent normals: the biased CKA has mean ≈ √(pq / ((n+p)(n+q)));
            // the debiased one has mean 0 and standard deviation ≈ √2 / n. Bounds are 6 of those spreads.
            let n, p, q = 1000, 10, 20
            let x, y = randn 31 n p, randn 32 n q
            let biasedMean = sqrt (float (p * q) / float ((n + p) * (n + q)))
            let spread = sqrt 2.0 / float n
            let b, d = Cka.between Biased x y, Cka.between Debiased x y
            Expect.isLessThan b (biasedMean + 6.0 * spread) $"biased {b}"
            Expect.isGreaterThan b 0.0 "biased is positive"
            Expect.isLessThan (abs d) (6.0 * spread) $"debiased {d}"

        testCase "float32 layer outputs of a LeNet: the matrix against itself has 1 on the diagonal and is symmetric" <| fun () ->
            let m = trained 2 1 (lenet 1)
            let outs = LayerOutputs.ofModel m (fst (probes 3 50))
            Expect.equal (outs |> Array.map fst) [| "conv1"; "pool1"; "conv2"; "pool2"; "flatten"; "ip1"; "relu1"; "ip2" |] "every layer"
            Expect.equal ((snd outs[outs.Length - 1]).ToArray()) (m.Forward(fst (probes 3 50)).ToArray()) "last output is the model's"
            for est in [ Biased; Debiased ] do
                let c = Cka.matrix est outs outs
                for i in 0 .. outs.Length - 1 do
                    Expect.floatClose Accuracy.medium c[i, i] 1.0 $"{est} diagonal {i}"
                    for j in 0 .. outs.Length - 1 do
                        Expect.floatClose Accuracy.medium c[i, j] c[j, i] $"{est} symmetric {i},{j}"
                Expect.floatClose Accuracy.medium c[3, 4] 1.0 $"{est}: flatten is pool2 reshaped"

        testCase "bad input: different probe counts, NaN activations, too few probes" <| fun () ->
            let a = [| "conv1", randn 1 10 4 |]
            let b = [| "ip1", randn 2 9 4 |]
            Check.throwsWith "layer 'conv1' has 10 probes but layer 'ip1' has 9" (fun () -> Cka.matrix Biased a b |> ignore)
            let v = Array.init 40 float
            v[13] <- nan
            Check.throwsWith "layer 'relu1' output [10; 4] holds NaN at probe 3, feature 1"
                (fun () -> Cka.matrix Debiased [| "relu1", Tensor.OfArray(v, [| 10; 4 |]) |] a |> ignore)
            Check.throwsWith "needs at least 4" (fun () -> Cka.between Debiased (randn 1 3 2) (randn 2 3 2) |> ignore)
    ]
