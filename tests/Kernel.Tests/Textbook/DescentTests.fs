module InitLab.Kernel.Tests.Textbook.DescentTests

open System
open Expecto
open FsCheck.FSharp
open InitLab.Kernel.Grad
open InitLab.Kernel.Textbook
open InitLab.Kernel.Tests.Check

let start = (-3.0, 4.0)
let last (p: (float * float)[]) = p[p.Length - 1]
let closeRel (tol: float) (actual: float) (expected: float) what =
    Expect.isLessThanOrEqual (abs (actual - expected)) (tol * abs expected) $"{what}: {actual} vs {expected}"

[<Tests>]
let tests =
    testList "Textbook.GradientDescent" [
        testCase "lr 0.1: 100 steps end at (1 − 2·0.1)¹⁰⁰·x₀ ≈ 0, the book's (−6.11110793e−10, 8.14814391e−10)" <| fun () ->
            let x, y = last (DescentPaths.gradientDescent Surfaces.bowl 0.1 100 start)
            closeRel 1e-9 x (-3.0 * 0.8 ** 100.0) "x0 closed form"
            closeRel 1e-9 y (4.0 * 0.8 ** 100.0) "x1 closed form"
            closeRel 1e-8 x -6.11110793e-10 "x0 as the book prints"
            closeRel 1e-8 y 8.14814391e-10 "x1 as the book prints"

        testCase "lr 10 diverges: the exact path grows like 19^k, the numerical one freezes at the book's (−2.58983747e13, −1.29524862e12)" <| fun () ->
            let x, y = last (DescentPaths.gradientDescent Surfaces.bowl 10.0 100 start)
            closeRel 1e-9 x (-3.0 * 19.0 ** 100.0) "x0 closed form (1 − 20)¹⁰⁰·(−3)"
            Expect.isGreaterThan (abs x) 1e100 "diverged"
            let nx, ny = last (DescentPaths.gradientDescent (Surfaces.withNumericalGradient NumericalGradient.DefaultStep Surfaces.bowl) 10.0 100 start)
            closeRel 1e-8 nx -2.58983747e13 "book's x0"
            closeRel 1e-8 ny -1.29524862e12 "book's x1"

        testCase "lr 1e−10 barely moves: the book's (−2.99999994, 3.99999992)" <| fun () ->
            let x, y = last (DescentPaths.gradientDescent Surfaces.bowl 1e-10 100 start)
            Expect.floatClose { absolute = 5e-9; relative = 0.0 } x -2.99999994 "x0"
            Expect.floatClose { absolute = 5e-9; relative = 0.0 } y 3.99999992 "x1"
            Expect.notEqual (x, y) start "but it did move"

        property 40 "gradient descent on x0² + x1² follows (1 − 2·lr)^k·x₀ at every step"
            (Gen.zip (Gen.choose (1, 99)) (Gen.choose (0, 60))) <| fun (lrPercent, k) ->
                let lr = float lrPercent / 100.0
                let path = DescentPaths.gradientDescent Surfaces.bowl lr k start
                Expect.equal path.Length (k + 1) "start plus k steps"
                let x, y = last path
                let cx, cy = DescentPaths.bowlClosedForm lr k start
                Expect.floatClose { absolute = 1e-12; relative = 1e-9 } x cx "x0"
                Expect.floatClose { absolute = 1e-12; relative = 1e-9 } y cy "x1"

        testCase "negative step counts are refused" <| fun () ->
            let e = Expect.throwsC (fun () -> DescentPaths.gradientDescent Surfaces.bowl 0.1 -1 start |> ignore) id
            Expect.stringContains e.Message "-1" "value named"
    ]
