/// Each update rule against its closed form, computed here element by element for the quadratic
/// f(w) = ½·Σ a·w² (gradient a·w), in float64 so only rounding separates the two.
module InitLab.Kernel.Tests.Optim.UpdateRuleTests

open Expecto
open InitLab.Kernel
open InitLab.Kernel.Optim
open InitLab.Kernel.Tests.Optim.Quadratic

/// Runs the optimiser for the given base rates, setting the gradient a·w before each step.
let private run (rule: UpdateRule) (wd: float) (rates: float list) =
    let w = param w0
    let opt = Optimizer([ "w", w ], rule, Fixed 0.1, weightDecay = wd)
    for lr in rates do
        setGrad w
        opt.Step lr
    w.ToArray()

let private grad (w: float[]) = Array.map2 (*) a w

[<Tests>]
let tests =
    testList "Optim.UpdateRule closed forms" [
        testCase "SGD, one step: w − lr·(a·w + wd·w)" <| fun () ->
            let lr, wd = 0.1, 0.01
            let expected = w0 |> Array.mapi (fun i w -> w - lr * (a[i] * w + wd * w))
            close (run (Sgd(0.0, 0.0, false, Caffe)) wd [ lr ]) expected "caffe form"
            close (run (Sgd(0.0, 0.0, false, PyTorch)) wd [ lr ]) expected "pytorch form"

        testCase "Caffe momentum, two steps with different rates: v = m·v + lr·g; w −= v" <| fun () ->
            let m, lr1, lr2 = 0.9, 0.1, 0.05
            let g0 = grad w0
            let v1 = g0 |> Array.map (fun g -> lr1 * g)
            let w1 = Array.map2 (-) w0 v1
            let g1 = grad w1
            let v2 = Array.map2 (fun v g -> m * v + lr2 * g) v1 g1
            let w2 = Array.map2 (-) w1 v2
            close (run (Sgd(m, 0.0, false, Caffe)) 0.0 [ lr1; lr2 ]) w2 "two steps"

        testCase "PyTorch momentum with dampening, two steps: v = m·v + (1−d)·g; w −= lr·v" <| fun () ->
            let m, d, lr1, lr2 = 0.9, 0.3, 0.1, 0.05
            let g0 = grad w0
            let v1 = g0 // first step: v = g, no dampening
            let w1 = Array.map2 (fun w v -> w - lr1 * v) w0 v1
            let g1 = grad w1
            let v2 = Array.map2 (fun v g -> m * v + (1.0 - d) * g) v1 g1
            let w2 = Array.map2 (fun w v -> w - lr2 * v) w1 v2
            let actual = run (Sgd(m, d, false, PyTorch)) 0.0 [ lr1; lr2 ]
            close actual w2 "two steps"
            // the forms differ once the rate changes: Caffe's v carries the old rate
            let caffe = run (Sgd(m, 0.0, false, Caffe)) 0.0 [ lr1; lr2 ]
            Expect.isFalse (caffe = run (Sgd(m, 0.0, false, PyTorch)) 0.0 [ lr1; lr2 ]) "Caffe and PyTorch forms must differ when lr changes"

        testCase "Nesterov, two steps: w −= lr·(g + m·v)" <| fun () ->
            let m, lr, wd = 0.9, 0.1, 0.01
            let gd (w: float[]) = Array.map2 (fun g w -> g + wd * w) (grad w) w
            let g0 = gd w0
            let v1 = g0
            let w1 = Array.init 4 (fun i -> w0[i] - lr * (g0[i] + m * v1[i]))
            let g1 = gd w1
            let v2 = Array.map2 (fun v g -> m * v + g) v1 g1
            let w2 = Array.init 4 (fun i -> w1[i] - lr * (g1[i] + m * v2[i]))
            close (run (Sgd(m, 0.0, true, PyTorch)) wd [ lr; lr ]) w2 "two steps"

        testCase "AdaGrad, two steps: s += g²; w −= lr·g/(√s + ε)" <| fun () ->
            let lr, eps = 0.1, 1e-10
            let g0 = grad w0
            let s1 = g0 |> Array.map (fun g -> g * g)
            let w1 = Array.init 4 (fun i -> w0[i] - lr * g0[i] / (sqrt s1[i] + eps))
            let g1 = grad w1
            let s2 = Array.map2 (fun s g -> s + g * g) s1 g1
            let w2 = Array.init 4 (fun i -> w1[i] - lr * g1[i] / (sqrt s2[i] + eps))
            close (run (AdaGrad eps) 0.0 [ lr; lr ]) w2 "two steps"

        testCase "RMSProp, two steps, without and with momentum" <| fun () ->
            let lr, alpha, eps = 0.01, 0.99, 1e-8
            let expected (m: float) =
                let g0 = grad w0
                let sq1 = g0 |> Array.map (fun g -> (1.0 - alpha) * g * g)
                let u1 = Array.init 4 (fun i -> g0[i] / (sqrt sq1[i] + eps))
                let b1 = u1
                let w1 = Array.init 4 (fun i -> w0[i] - lr * b1[i])
                let g1 = grad w1
                let sq2 = Array.init 4 (fun i -> alpha * sq1[i] + (1.0 - alpha) * g1[i] * g1[i])
                let u2 = Array.init 4 (fun i -> g1[i] / (sqrt sq2[i] + eps))
                let b2 = Array.init 4 (fun i -> m * b1[i] + u2[i])
                Array.init 4 (fun i -> w1[i] - lr * b2[i])
            close (run (RmsProp(alpha, eps, 0.0)) 0.0 [ lr; lr ]) (expected 0.0) "no momentum"
            close (run (RmsProp(alpha, eps, 0.5)) 0.0 [ lr; lr ]) (expected 0.5) "momentum 0.5"

        testCase "Adam, three steps with bias correction, L2 decay and decoupled (AdamW) decay" <| fun () ->
            let lr, b1, b2, eps, wd = 0.01, 0.9, 0.999, 1e-8, 0.1
            let expected (decoupled: bool) =
                let mutable w = Array.copy w0
                let m = Array.zeroCreate 4
                let v = Array.zeroCreate 4
                for t in 1 .. 3 do
                    let g = grad w
                    let d = if decoupled then g else Array.map2 (fun g w -> g + wd * w) g w
                    if decoupled then w <- w |> Array.map (fun x -> x * (1.0 - lr * wd))
                    for i in 0 .. 3 do
                        m[i] <- b1 * m[i] + (1.0 - b1) * d[i]
                        v[i] <- b2 * v[i] + (1.0 - b2) * d[i] * d[i]
                    let mHat = m |> Array.map (fun x -> x / (1.0 - b1 ** float t))
                    let vHat = v |> Array.map (fun x -> x / (1.0 - b2 ** float t))
                    w <- Array.init 4 (fun i -> w[i] - lr * mHat[i] / (sqrt vHat[i] + eps))
                w
            // the bias-corrected first step moves every coordinate by about lr·sign(g)
            let first = run (Adam(b1, b2, eps, false)) 0.0 [ lr ]
            for i in 0 .. 3 do
                Expect.floatClose Accuracy.medium (abs (first[i] - w0[i])) lr $"first Adam step of coordinate {i} is lr"
            // rounding differs slightly: PyTorch divides √v by √(1−β2^t) where the formula divides v
            let near (actual: float[]) (exp: float[]) what =
                for i in 0 .. 3 do Expect.floatClose { absolute = 1e-13; relative = 1e-11 } actual[i] exp[i] $"{what} [{i}]"
            near (run (Adam(b1, b2, eps, false)) wd [ lr; lr; lr ]) (expected false) "adam"
            near (run (Adam(b1, b2, eps, true)) wd [ lr; lr; lr ]) (expected true) "adamw"

        testCase "float32 parameters follow the float64 result to float32 precision" <| fun () ->
            for rule in [ Sgd(0.9, 0.0, false, Caffe); Sgd(0.9, 0.0, true, PyTorch)
                          AdaGrad 1e-10; RmsProp(0.99, 1e-8, 0.9); Adam(0.9, 0.999, 1e-8, false) ] do
                let w64, w32 = param w0, param32 w0
                let o64 = Optimizer([ "w", w64 ], rule, Fixed 0.01, weightDecay = 0.01)
                let o32 = Optimizer([ "w", w32 ], rule, Fixed 0.01, weightDecay = 0.01)
                for _ in 1 .. 5 do
                    setGrad w64
                    setGrad w32
                    o64.Step()
                    o32.Step()
                Expect.equal w32.DType Float32 "stays float32"
                let x, y = w64.ToArray(), w32.ToArray()
                for i in 0 .. 3 do
                    Expect.floatClose { absolute = 1e-5; relative = 1e-5 } y[i] x[i] $"{UpdateRule.name rule} [{i}]"
                Expect.notEqual y w0 $"{UpdateRule.name rule} moved the weights"
    ]
