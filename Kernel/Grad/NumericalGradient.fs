namespace InitLab.Kernel.Grad

open System
open InitLab.Kernel

/// Which finite difference approximates a derivative.
type Difference =
    /// (f(x+h) − f(x−h)) / 2h: the textbook's; error O(h²) from truncation plus O(ε·|f|/h) from round-off.
    | Central
    /// Five-point stencil: error O(h⁴), so a larger h keeps round-off small too; four evaluations per element.
    | FivePoint

/// Numerical gradients by finite differences, a public tool (the textbook's numerical_gradient) as well
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

    /// ∂f/∂x_i by `difference` for each element of each input, perturbing the inputs in place
    /// (restored afterwards) with recording off.
    let ofTensorsWith (difference: Difference) (f: Tensor[] -> Tensor) (inputs: Tensor[]) (h: float) : Tensor[] =
        if not (h > 0.0) then invalidArg "h" $"numerical gradient step must be positive, got {h}"
        use _ = Tensor.NoGrad()
        let eval () =
            let y = f inputs
            if y.Numel <> 1 then invalidArg "f" $"numerical gradient needs a scalar function, got shape {Shape.show y.Shape}"
            y.Item
        inputs
        |> Array.map (fun x ->
            let raw = x.Raw
            // f at v + k·h, and the offset actually stored: v + k·h is rounded (to float32 too), and
            // dividing by the nominal step would add that rounding to the derivative
            let at i (v: float) (k: float) =
                raw.SetItem(i, v + k * h)
                let stored = raw.Item i - v
                if stored = 0.0 then
                    invalidArg "h" $"numerical gradient step {h} vanishes next to the value {v} at index {i} in {raw.DType}; use a larger step"
                eval (), stored
            let g = Array.zeroCreate raw.Numel
            for i in 0 .. raw.Numel - 1 do
                let v = raw.Item i
                try
                    g[i] <-
                        match difference with
                        | Central ->
                            let fp, up = at i v 1.0
                            let fm, down = at i v -1.0
                            (fp - fm) / (up - down)
                        | FivePoint ->
                            // (−f(x+2h) + 8f(x+h) − 8f(x−h) + f(x−2h)) / 12h: the h² error terms cancel
                            let fp2, _ = at i v 2.0
                            let fp, up = at i v 1.0
                            let fm, down = at i v -1.0
                            let fm2, _ = at i v -2.0
                            (8.0 * (fp - fm) - (fp2 - fm2)) / (6.0 * (up - down))
                finally
                    raw.SetItem(i, v)
            Tensor(x.Raw.NewOfFloat64(g, Array.copy x.Shape)))

    /// Central-difference ∂f/∂inputs of a scalar-valued function of tensors (the textbook's method).
    let ofTensors (f: Tensor[] -> Tensor) (inputs: Tensor[]) (h: float) : Tensor[] = ofTensorsWith Central f inputs h
