module InitLab.Kernel.Tests.Textbook.NumericalDiffTests

open Expecto
open FsCheck.FSharp
open InitLab.Kernel.Grad
open InitLab.Kernel.Textbook
open InitLab.Kernel.Tests.Check

let function1 (x: float) = 0.01 * x * x + 0.1 * x
let function2 (v: float[]) = v[0] * v[0] + v[1] * v[1]
let h = NumericalGradient.DefaultStep

[<Tests>]
let tests =
    testList "Textbook.NumericalDifferentiation" [
        testCase "central difference of 0.01x² + 0.1x at 5 and 10 is 0.2 and 0.3" <| fun () ->
            Expect.floatClose { absolute = 1e-9; relative = 0.0 } (NumericalGradient.centralDifference function1 5.0 h) 0.2 "x = 5"
            Expect.floatClose { absolute = 1e-9; relative = 0.0 } (NumericalGradient.centralDifference function1 10.0 h) 0.3 "x = 10"

        testCase "the forward difference is further off than the central one (O(h) against O(h²))" <| fun () ->
            for x in [ 5.0; 10.0 ] do
                let exact = 0.02 * x + 0.1
                let fwd = abs (NumericalGradient.forwardDifference function1 x h - exact)
                let ctr = abs (NumericalGradient.centralDifference function1 x h - exact)
                Expect.floatClose { absolute = 1e-8; relative = 0.0 } fwd (0.01 * h) $"forward error ≈ f''·h/2 = 1e-6 at x = {x}"
                Expect.isLessThan (ctr * 100.0) fwd $"central at least 100× closer at x = {x}"

        testCase "partial derivatives of x0² + x1² at (3, 4) are 6 and 8" <| fun () ->
            Expect.floatClose Accuracy.medium (NumericalGradient.centralDifference (fun x0 -> x0 * x0 + 16.0) 3.0 h) 6.0 "∂/∂x0"
            Expect.floatClose Accuracy.medium (NumericalGradient.centralDifference (fun x1 -> 9.0 + x1 * x1) 4.0 h) 8.0 "∂/∂x1"

        testCase "the gradient of x0² + x1² at (3,4), (0,2), (3,0) is (6,8), (0,4), (6,0)" <| fun () ->
            for p, expected in [ [| 3.0; 4.0 |], [| 6.0; 8.0 |]; [| 0.0; 2.0 |], [| 0.0; 4.0 |]; [| 3.0; 0.0 |], [| 6.0; 0.0 |] ] do
                let gr = NumericalGradient.ofVector function2 p h
                for i in 0 .. 1 do
                    Expect.floatClose { absolute = 1e-7; relative = 1e-9 } gr[i] expected[i] $"component {i} at {p}"

        property 40 "each surface's exact gradient agrees with the numerical one"
            (Gen.zip3 (Gen.elements [ Surfaces.bowl; Surfaces.elongatedBowl; Surfaces.doubleWell ]) (Gen.choose (-300, 300)) (Gen.choose (-300, 300)))
            <| fun (s, a, b) ->
                let x, y = float a / 100.0, float b / 100.0
                let struct (gx, gy) = s.Gradient x y
                let num = NumericalGradient.ofVector (fun v -> s.Value v[0] v[1]) [| x; y |] 1e-5
                Expect.floatClose { absolute = 1e-6; relative = 1e-6 } gx num[0] $"{s.Name} ∂x at ({x}, {y})"
                Expect.floatClose { absolute = 1e-6; relative = 1e-6 } gy num[1] $"{s.Name} ∂y at ({x}, {y})"
    ]
