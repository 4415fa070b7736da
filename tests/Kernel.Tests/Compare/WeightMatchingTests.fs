module InitLab.Kernel.Tests.Compare.WeightMatchingTests

open Expecto
open InitLab.Kernel
open InitLab.Kernel.Nn
open InitLab.Kernel.Compare
open InitLab.Kernel.Tests
open InitLab.Kernel.Tests.Compare.CompareFixtures

let private inverse (p: int[]) =
    let q = Array.zeroCreate p.Length
    p |> Array.iteri (fun i v -> q[v] <- i)
    q

let private randomPermutations (seed: int) (model: Module) =
    let layers = UnitLayout.ofModel "test" model
    let g = Generator(seed)
    layers[.. layers.Length - 2] |> Array.map (fun l -> l.Path, g.Permutation l.Units)

let private weights (m: Module) = m.Parameters |> Array.map _.ToArray()

/// Permutes a trained model at random and aligns the copy back to it.
let private recovers (name: string) (model: Module) (x: Tensor) =
    let perms = randomPermutations 11 model
    let shuffled = WeightMatching.permute model perms
    Expect.notEqual (weights shuffled) (weights model) $"{name}: the shuffled copy differs position by position"
    let r = WeightMatching.align 5 model shuffled
    for (path, p), (path', q) in Array.zip perms r.Permutations do
        Expect.equal path' path "layer order"
        Expect.equal q (inverse p) $"{name}: permutation of '{path}' recovered"
    Expect.equal (weights r.Aligned) (weights model) $"{name}: aligned weights equal the original's (distance 0)"
    let y, y' = model.Eval().Forward(x).ToArray(), r.Aligned.Eval().Forward(x).ToArray()
    Expect.isLessThanOrEqual (maxAbsDiff y y') 1e-6 $"{name}: aligned outputs equal the original's"

[<Tests>]
let tests =
    testList "Compare.weight matching" [
        testCase "a trained LeNet-5 permuted at random is aligned back exactly" <| fun () ->
            recovers "LeNet-5" (trained 4 1 (lenet 1)) (fst (probes 9 4))

        testCase "paper 001's LeNet (C1 7×7) and the nested TwoLayerNet are aligned back exactly" <| fun () ->
            recovers "LeNet 001" (trained 3 2 (lenet001 2)) (fst (probes 9 4))
            recovers "TwoLayerNet" (trained 3 3 (twoLayer 3)) (fst (probes 9 4))

        testCase "permuting hidden units keeps the function (float64, 1e-12) across the conv → flatten → fc boundary" <| fun () ->
            let m = Models.LeNet5(gen = Generator(5), dtype = Float64) :> Module
            let x = Tensor.RandN([| 3; 1; 28; 28 |], Generator(6), dtype = Float64)
            let p = WeightMatching.permute m (randomPermutations 7 m)
            Expect.isLessThanOrEqual (maxAbsDiff (m.Forward(x).ToArray()) (p.Forward(x).ToArray())) 1e-12 "same outputs"
            // a wrong block mapping at the flatten (a channel moved as one column) would break this
            let onlyConv2 = WeightMatching.permute m [| "conv2", Generator(8).Permutation 50 |]
            Expect.isLessThanOrEqual (maxAbsDiff (m.Forward(x).ToArray()) (onlyConv2.Forward(x).ToArray())) 1e-12 "conv2 alone"

        testCase "aligning two independently trained models raises similarity and keeps the function" <| fun () ->
            let a, b = trained 4 1 (lenet001 21), trained 4 2 (lenet001 22)
            let r = WeightMatching.align 1 a b
            let dot (p: Module) (q: Module) = Array.fold2 (fun s (u: Tensor) (v: Tensor) -> s + Array.fold2 (fun t x y -> t + x * y) 0.0 (u.ToArray()) (v.ToArray())) 0.0 p.Parameters q.Parameters
            Expect.isGreaterThan (dot a r.Aligned) (dot a b) "⟨A, B'⟩ > ⟨A, B⟩"
            Expect.floatClose Accuracy.high r.Similarity (dot a r.Aligned) "reported similarity"
            let x = fst (probes 4 5)
            let y, y' = b.Eval().Forward(x).ToArray(), r.Aligned.Eval().Forward(x).ToArray()
            Expect.isLessThanOrEqual (maxAbsDiff y y') 1e-5 "B' computes B's function (float32 channel sums reordered)"
            Expect.isGreaterThanOrEqual r.Rounds 2 "at least one round that confirmed no change"
            Expect.equal (WeightMatching.align 1 a b).Permutations r.Permutations "same seed, same permutations"

        testCase "bad input: architectures that differ, unknown layers, wrong permutations" <| fun () ->
            let a = lenet 1
            let narrow =
                Sequential [ "conv1", Conv2d(1, 16, 5) :> Module; "pool1", MaxPool2d(2); "conv2", Conv2d(16, 50, 5)
                             "pool2", MaxPool2d(2); "flatten", Flatten(); "ip1", Linear(800, 500); "relu1", ReLU(); "ip2", Linear(500, 10) ]
            Check.throwsWith "layer 'conv1' is Conv2d(1 → 20, 5×5)" (fun () -> WeightMatching.align 0 a narrow |> ignore)
            Check.throwsWith "architectures differ" (fun () -> WeightMatching.align 0 a (lenet001 1) |> ignore)
            let odd = Sequential [ "fc1", Linear(4, 3) :> Module; "scale", Lambda("scale", fun x -> x * 2.0); "fc2", Linear(3, 2) ]
            Check.throwsWith "layer 'scale' (Lambda(scale))" (fun () -> WeightMatching.align 0 odd odd |> ignore)
            let noFlatten = Sequential [ "c", Conv2d(1, 2, 3) :> Module; "fc", Linear(8, 2) ]
            Check.throwsWith "without a Flatten" (fun () -> WeightMatching.align 0 noFlatten noFlatten |> ignore)
            Check.throwsWith "layer 'conv1' has 20 units but its permutation has 3 entries"
                (fun () -> WeightMatching.permute a [| "conv1", [| 0; 1; 2 |] |] |> ignore)
            Check.throwsWith "'ip2' is the output layer" (fun () -> WeightMatching.permute a [| "ip2", Array.init 10 id |] |> ignore)
    ]
