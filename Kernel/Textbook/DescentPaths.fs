namespace InitLab.Kernel.Textbook

open System
open InitLab.Kernel
open InitLab.Kernel.Optim

/// Gradient-descent paths on two-parameter surfaces: the chapter's plain loop and the Kernel's optimisers.
module DescentPaths =
    /// The chapter's gradient_descent: x ← x − lr·∇f(x), `steps` times; returns all steps + 1 points, start first.
    let gradientDescent (s: Surface) (lr: float) (steps: int) (x0: float, y0: float) =
        if steps < 0 then invalidArg "steps" $"steps must be >= 0, got {steps}"
        let path = Array.zeroCreate (steps + 1)
        path[0] <- (x0, y0)
        for k in 1 .. steps do
            let x, y = path[k - 1]
            let struct (gx, gy) = s.Gradient x y
            path[k] <- (x - lr * gx, y - lr * gy)
        path

    /// Closed form of gradient descent on x0² + x1²: each coordinate is multiplied by (1 − 2·lr) per step.
    let bowlClosedForm (lr: float) (steps: int) (x0: float, y0: float) =
        let f = Math.Pow(1.0 - 2.0 * lr, float steps)
        (f * x0, f * y0)

    /// The path of a Kernel optimiser (any UpdateRule, constant rate `lr`) minimising the surface from
    /// `start`: the two coordinates are one float64 parameter whose gradient is the surface's exact one.
    let optimizerPath (rule: UpdateRule) (lr: float) (s: Surface) (steps: int) (x0: float, y0: float) =
        if steps < 0 then invalidArg "steps" $"steps must be >= 0, got {steps}"
        let w = Tensor.OfArray([| x0; y0 |], [| 2 |]).RequireGrad()
        let optimizer = Optimizer([ "xy", w ], rule, Fixed lr)
        let data = (w.Raw :?> RawTensor<float>).Data
        let path = Array.zeroCreate (steps + 1)
        path[0] <- (x0, y0)
        for k in 1 .. steps do
            let struct (gx, gy) = s.Gradient data[0] data[1]
            w.SetGrad(Tensor.OfArray([| gx; gy |], [| 2 |]))
            optimizer.Step()
            path[k] <- (data[0], data[1])
        path
