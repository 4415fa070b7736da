/// Learning-rate policies against Caffe's formulas (restated here independently) and its log.
module InitLab.Kernel.Tests.Optim.LrPolicyTests

open System
open Expecto
open InitLab.Kernel.Optim

/// Small generated values mapped into each parameter's valid range.
let private unit' (k: int) = float (abs (k % 1000) + 1) / 1000.0 // (0, 1]
let private pos (k: int) = abs (k % 10000) + 1
let private iterOf (k: int) = abs (k % 100000)

let private agrees (actual: float) (expected: float) =
    abs (actual - expected) <= 1e-12 * max 1e-300 (abs expected) || actual = expected

let private config = InitLab.Tests.FsCheckSeed.config 300

[<Tests>]
let tests =
    testList "Optim.LrPolicy" [
        testCase "inv matches Caffe's LeNet log line at iteration 100" <| fun () ->
            Expect.equal (LrPolicy.caffeLogLine 100 (Inv(0.01, 1e-4, 0.75))) "Iteration 100, lr = 0.00992565" "caffe log"
            Expect.equal (LrPolicy.formatCaffe 1e-5) "1e-05" "%g exponent form"
            Expect.equal ((Inv(0.01, 1e-4, 0.75)).Rate 0) 0.01 "iteration 0 is the base rate"

        testPropertyWithConfig config "fixed = base" <| fun (b: int) (i: int) ->
            LrPolicy.rate (Fixed(unit' b)) (iterOf i) = unit' b

        testPropertyWithConfig config "step = base·γ^floor(iter/stepsize)" <| fun (b: int) (g: int) (s: int) (i: int) ->
            let base', gamma, stepSize, iter = unit' b, unit' g, pos s, iterOf i
            agrees (LrPolicy.rate (Step(base', gamma, stepSize)) iter) (base' * gamma ** floor (float iter / float stepSize))

        testPropertyWithConfig config "multistep = base·γ^(step values passed)" <| fun (b: int) (g: int) (steps: int list) (i: int) ->
            let values = steps |> List.map pos |> List.distinct |> List.sort |> Array.ofList
            let base', gamma, iter = unit' b, unit' g, iterOf i % 12000
            let passed = values |> Array.filter (fun v -> v <= iter) |> Array.length
            agrees (LrPolicy.rate (MultiStep(base', gamma, values)) iter) (base' * gamma ** float passed)

        testPropertyWithConfig config "exp = base·γ^iter" <| fun (b: int) (g: int) (i: int) ->
            let base', gamma, iter = unit' b, 0.9 + unit' g / 10.0, iterOf i % 2000
            agrees (LrPolicy.rate (Exp(base', gamma)) iter) (base' * gamma ** float iter)

        testPropertyWithConfig config "inv = base·(1 + γ·iter)^(−power)" <| fun (b: int) (g: int) (p: int) (i: int) ->
            let base', gamma, power, iter = unit' b, unit' g / 100.0, unit' p * 2.0, iterOf i
            agrees (LrPolicy.rate (Inv(base', gamma, power)) iter) (base' * (1.0 + gamma * float iter) ** (-power))

        testPropertyWithConfig config "poly = base·(1 − iter/max)^power, 0 from max on" <| fun (b: int) (p: int) (m: int) (i: int) ->
            let base', power, maxIter, iter = unit' b, unit' p * 3.0, pos m, iterOf i % 12000
            let expected = if iter >= maxIter then 0.0 else base' * (1.0 - float iter / float maxIter) ** power
            agrees (LrPolicy.rate (Poly(base', power, maxIter)) iter) expected

        testPropertyWithConfig config "sigmoid = base/(1 + e^(−γ·(iter − stepsize)))" <| fun (b: int) (g: int) (s: int) (i: int) ->
            let base', gamma, stepSize, iter = unit' b, (unit' g - 0.5) / 10.0, pos s, iterOf i % 20000
            agrees (LrPolicy.rate (Sigmoid(base', gamma, stepSize)) iter) (base' / (1.0 + exp (-gamma * float (iter - stepSize))))

        testPropertyWithConfig config "cosine = min + (base − min)·(1 + cos(π·t/period))/2, t = iter mod period" <| fun (b: int) (f: int) (p: int) (i: int) ->
            let base' = unit' b
            let minLr, period, iter = base' * unit' f, pos p, iterOf i
            let t = float (iter % period)
            let expected = minLr + 0.5 * (base' - minLr) * (1.0 + cos (Math.PI * t / float period))
            let actual = LrPolicy.rate (Cosine(base', minLr, period)) iter
            abs (actual - expected) <= 1e-12 * base' && actual >= minLr - 1e-15 && actual <= base' + 1e-15

        testPropertyWithConfig config "policies round-trip through format/parse" <| fun (b: int) (g: int) (s: int) (which: int) ->
            let base' = unit' b
            let policy =
                match abs (which % 8) with
                | 0 -> Fixed base'
                | 1 -> Step(base', unit' g, pos s)
                | 2 -> MultiStep(base', unit' g, [| pos s; pos s + 7 |])
                | 3 -> Exp(base', unit' g)
                | 4 -> Inv(base', unit' g / 1000.0, 0.75)
                | 5 -> Poly(base', unit' g, pos s)
                | 6 -> Sigmoid(base', -unit' g, pos s)
                | _ -> Cosine(base', base' * unit' g, pos s)
            LrPolicy.parse base' (LrPolicy.format policy) = policy

        testCase "impossible parameters and iterations are errors naming the value" <| fun () ->
            let bad (p: LrPolicy) (mention: string) =
                let e = Expect.throwsC (fun () -> LrPolicy.rate p 0 |> ignore) id
                Expect.isTrue (e :? ArgumentException) $"{p}: argument error"
                Expect.stringContains e.Message mention $"{p}: message names {mention}"
            bad (Fixed nan) "NaN"
            bad (Fixed -0.01) "-0.01"
            bad (Step(0.1, 0.5, 0)) "stepsize 0"
            bad (Step(0.1, -0.5, 10)) "gamma -0.5"
            bad (MultiStep(0.1, 0.5, [| 10; 10 |])) "increasing"
            bad (Exp(0.1, 0.0)) "gamma 0"
            bad (Inv(0.1, 1e-4, -1.0)) "power -1"
            bad (Poly(0.1, 1.0, 0)) "max_iter 0"
            bad (Sigmoid(0.1, infinity, 10)) "gamma"
            bad (Cosine(0.1, 0.2, 10)) "exceeds"
            bad (Cosine(0.1, 0.0, 0)) "period 0"
            let e = Expect.throwsC (fun () -> LrPolicy.rate (Fixed 0.1) -1 |> ignore) id
            Expect.stringContains e.Message "-1" "negative iteration"
    ]
