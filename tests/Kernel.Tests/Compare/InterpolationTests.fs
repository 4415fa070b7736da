module InitLab.Kernel.Tests.Compare.InterpolationTests

open Expecto
open InitLab.Kernel
open InitLab.Kernel.Compare
open InitLab.Kernel.Tests
open InitLab.Kernel.Tests.Compare.CompareFixtures

[<Tests>]
let tests =
    testList "Compare.interpolation" [
        testCase "endpoints are the models' own loss and accuracy; the barrier is max − mean of the ends" <| fun () ->
            let a, b = trained 5 1 (lenet 1), trained 5 2 (lenet 2)
            let x, y = probes 77 64
            let eval = Interpolation.onBatch x y
            let path = Interpolation.path eval (Interpolation.alphas 11) a b
            Expect.equal path.Points.Length 11 "11 points"
            Expect.equal path.Points[0].Loss (eval a).Loss "α = 0 is A"
            Expect.equal path.Points[10].Loss (eval b).Loss "α = 1 is B"
            Expect.equal path.Points[10].Accuracy (eval b).Accuracy "α = 1 accuracy is B's"
            let top = path.Points |> Array.map _.Loss |> Array.max
            Expect.floatClose Accuracy.veryHigh path.Barrier (top - ((eval a).Loss + (eval b).Loss) / 2.0) "barrier"
            let mid = Interpolation.blend a b 0.5
            let expected = Array.map2 (fun (p: Tensor) (q: Tensor) -> Array.map2 (fun u v -> float (float32 (0.5 * u + 0.5 * v))) (p.ToArray()) (q.ToArray())) a.Parameters b.Parameters
            Expect.equal (mid.Parameters |> Array.map _.ToArray()) expected "midpoint parameters"
            Expect.equal ((Interpolation.blend a b 0.0).Parameters |> Array.map _.ToArray()) (a.Parameters |> Array.map _.ToArray()) "blend 0 = A"

        testCase "a model with itself has a flat path and zero barrier" <| fun () ->
            let a = trained 3 1 (lenet001 1)
            let x, y = probes 5 32
            let path = Interpolation.path (Interpolation.onBatch x y) (Interpolation.alphas 5) a (a.Clone())
            Expect.equal path.Barrier 0.0 "no barrier"

        testCase "bad input: α range, architectures, labels" <| fun () ->
            let a = lenet 1
            let x, y = probes 1 4
            let eval = Interpolation.onBatch x y
            Check.throwsWith "α must run from 0 to 1" (fun () -> Interpolation.path eval [| 0.0; 0.5 |] a a |> ignore)
            Check.throwsWith "α[1] = 0.5 and α[2] = 0.5" (fun () -> Interpolation.path eval [| 0.0; 0.5; 0.5; 1.0 |] a a |> ignore)
            Check.throwsWith "architectures differ" (fun () -> Interpolation.path eval [| 0.0; 1.0 |] a (lenet001 1) |> ignore)
            Check.throwsWith "images [4; 1; 28; 28] and 3 labels" (fun () -> Interpolation.onBatch x y[.. 2] |> ignore)
    ]
