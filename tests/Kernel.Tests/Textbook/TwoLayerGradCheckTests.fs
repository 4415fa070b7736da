module InitLab.Kernel.Tests.Textbook.TwoLayerGradCheckTests

open Expecto
open InitLab.Kernel
open InitLab.Kernel.Grad
open InitLab.Kernel.Nn
open InitLab.Kernel.Textbook
open InitLab.Kernel.Tests.Check

[<Tests>]
let tests =
    testList "Textbook.TwoLayerGradCheck" [
        testCase "backprop and numerical gradients of TwoLayerNet 784-50-10 agree below 1e-6 in float64 (mean |diff| per parameter)" <| fun () ->
            let net = Models.TwoLayerNet(784, 50, 10, gen = Generator(3), dtype = Float64)
            // pixel-like inputs in [0, 1], three samples as in the book
            let x = Tensor.Rand([| 3; 784 |], Generator(4), dtype = Float64)
            let report = ModelGradCheck.numericalVsBackprop net x [| 7; 2; 1 |] NumericalGradient.DefaultStep
            Expect.equal (report.Entries |> List.map (fun e -> e.Name)) [ "affine1.weight"; "affine1.bias"; "affine2.weight"; "affine2.bias" ] "every parameter checked"
            for e in report.Entries do
                Expect.isLessThan e.MeanAbsError gradTolerance $"{e.Name}: mean |backprop − numerical| {e.MeanAbsError}"
                Expect.isLessThan e.MaxAbsError gradTolerance $"{e.Name}: max |backprop − numerical| {e.MaxAbsError}"
            // the gradients are not trivially zero: the check compared something
            Expect.isGreaterThan (net.Parameters |> Array.sumBy (fun p -> p.Grad.ToArray() |> Array.sumBy abs)) 1e-3 "non-zero gradients"

        testCase "a batch whose label count differs from its samples is refused, naming the shape" <| fun () ->
            let net = Models.TwoLayerNet(4, 3, 2, gen = Generator(1), dtype = Float64)
            let e = Expect.throwsC (fun () -> ModelGradCheck.numericalVsBackprop net (Tensor.Zeros([| 2; 4 |], Float64)) [| 1 |] 1e-4 |> ignore) id
            Expect.stringContains e.Message "[2; 4]" "shape named"
    ]
