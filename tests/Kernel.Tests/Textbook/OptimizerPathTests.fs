module InitLab.Kernel.Tests.Textbook.OptimizerPathTests

open Expecto
open InitLab.Kernel.Optim
open InitLab.Kernel.Textbook

let last (p: (float * float)[]) = p[p.Length - 1]
let run (spec: string) (s: Surface) steps start =
    let o = OptimizerSpec.parse spec
    DescentPaths.optimizerPath o.Rule o.Policy.BaseLr s steps start
let distance (x: float, y: float) (_, mx: float, my: float) = sqrt ((x - mx) ** 2.0 + (y - my) ** 2.0)
let minimum (s: Surface) name = s.Minima |> List.find (fun (n, _, _) -> n = name)

[<Tests>]
let tests =
    testList "Textbook.OptimizerPaths" [
        testCase "the Kernel's plain SGD on x²/20 + y² follows the closed form (1 − lr/10)^k, (1 − 2lr)^k" <| fun () ->
            let path = run "sgd lr=0.95" Surfaces.elongatedBowl 30 (-7.0, 2.0)
            for k in [ 1; 10; 30 ] do
                let x, y = path[k]
                Expect.floatClose Accuracy.high x (-7.0 * (1.0 - 0.095) ** float k) $"x at step {k}"
                Expect.floatClose Accuracy.high y (2.0 * (1.0 - 1.9) ** float k) $"y at step {k} (oscillates: factor −0.9)"

        testCase "all five optimisers reach the bowl's minimum from (−3, 4)" <| fun () ->
            for spec in [ "sgd lr=0.1"; "sgd:0.9 lr=0.05"; "adagrad lr=1"; "rmsprop lr=0.01"; "adam lr=0.05" ] do
                let e = last (run spec Surfaces.bowl 1000 (-3.0, 4.0))
                Expect.isLessThan (distance e (minimum Surfaces.bowl "global")) 0.05 $"{spec} ends at {e}"

        testCase "the double well's minima are stationary and the global one is deeper" <| fun () ->
            let s = Surfaces.doubleWell
            for name, x, y in s.Minima do
                let struct (gx, gy) = s.Gradient x y
                Expect.isLessThan (abs gx + abs gy) 1e-12 $"{name} minimum at ({x}, {y}) is stationary"
            let _, gx, _ = minimum s "global"
            let _, lx, _ = minimum s "local"
            Expect.isLessThan gx Surfaces.doubleWellRidge "global minimum left of the ridge"
            Expect.isGreaterThan lx Surfaces.doubleWellRidge "local minimum right of the ridge"
            Expect.isLessThan (s.Value gx 0.0) (s.Value lx 0.0) "global is lower"

        testCase "SGD with a small rate ends in the well on its side of the ridge" <| fun () ->
            let s = Surfaces.doubleWell
            for start, expected in [ (-2.0, 1.5), "global"; (-0.5, -1.5), "global"; (0.5, 1.5), "local"; (2.0, -1.5), "local" ] do
                let e = last (run "sgd lr=0.05" s 300 start)
                Expect.isLessThan (distance e (minimum s expected)) 1e-4 $"from {start} SGD ends in the {expected} minimum, got {e}"

        testCase "momentum carries the path from (2, −1.5) over the ridge into the global minimum where SGD stops in the local one" <| fun () ->
            let s = Surfaces.doubleWell
            let sgd = last (run "sgd lr=0.02" s 300 (2.0, -1.5))
            let momentum = last (run "sgd:0.9 lr=0.02" s 300 (2.0, -1.5))
            Expect.isLessThan (distance sgd (minimum s "local")) 1e-3 $"SGD ends local, got {sgd}"
            Expect.isLessThan (distance momentum (minimum s "global")) 1e-2 $"momentum ends global, got {momentum}"
    ]
