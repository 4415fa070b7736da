namespace InitLab.Kernel.Grad

open System
open InitLab.Kernel

/// Central-difference numerical gradients, a public tool (the textbook's numerical_gradient) as well
/// as the reference that `GradCheck` compares autodiff against.
module NumericalGradient =
    /// The textbook's default step.
    [<Literal>]
    let DefaultStep = 1e-4

    /// ∂f/∂x_i ≈ (f(x + h·e_i) − f(x − h·e_i)) / 2h for a scalar function of a vector.
    let ofVector (f: float[] -> float) (x: float[]) (h: float) =
        if not (h > 0.0) then invalidArg "h" $"numerical gradient step must be positive, got {h}"
        let x = Array.copy x
        Array.init x.Length (fun i ->
            let v = x[i]
            x[i] <- v + h
            let fp = f x
            x[i] <- v - h
            let fm = f x
            x[i] <- v
            (fp - fm) / (2.0 * h))

    /// Forward difference (f(x + h) − f(x)) / h, kept for the textbook's comparison with the central one.
    let forwardDifference (f: float -> float) (x: float) (h: float) = (f (x + h) - f x) / h

    /// Central difference (f(x + h) − f(x − h)) / 2h of a scalar function of one variable.
    let centralDifference (f: float -> float) (x: float) (h: float) = (f (x + h) - f (x - h)) / (2.0 * h)

    /// Numerical gradient of a scalar-valued function of tensors with respect to each input,
    /// perturbing the inputs in place (restored afterwards) with recording off.
    let ofTensors (f: Tensor[] -> Tensor) (inputs: Tensor[]) (h: float) : Tensor[] =
        if not (h > 0.0) then invalidArg "h" $"numerical gradient step must be positive, got {h}"
        use _ = Tensor.NoGrad()
        let eval () =
            let y = f inputs
            if y.Numel <> 1 then invalidArg "f" $"numerical gradient needs a scalar function, got shape {Shape.show y.Shape}"
            y.Item
        inputs
        |> Array.map (fun x ->
            let raw = x.Raw
            let g = Array.zeroCreate raw.Numel
            for i in 0 .. raw.Numel - 1 do
                let v = raw.Item i
                raw.SetItem(i, v + h)
                let fp = eval ()
                raw.SetItem(i, v - h)
                let fm = eval ()
                raw.SetItem(i, v)
                g[i] <- (fp - fm) / (2.0 * h)
            Tensor(x.Raw.NewOfFloat64(g, Array.copy x.Shape)))
