/// Central-difference gradients for checking autodiff in float64 (a small local helper; the lead's
/// shared gradient-check module can replace it).
module InitLab.Kernel.Tests.Nn.NumericalGradient

open InitLab.Kernel

/// ∂loss/∂t[i] ≈ (loss(t[i] + h) − loss(t[i] − h)) / 2h for every element of `t` (a float64 leaf),
/// with `loss` evaluated without recording a graph. `t` is restored afterwards.
let of' (loss: unit -> float) (t: Tensor) (h: float) =
    Array.init t.Numel (fun i ->
        let v = t.At i
        t.Raw.SetItem(i, v + h)
        let up = using (Tensor.NoGrad()) (fun _ -> loss ())
        t.Raw.SetItem(i, v - h)
        let down = using (Tensor.NoGrad()) (fun _ -> loss ())
        t.Raw.SetItem(i, v)
        (up - down) / (2.0 * h))

/// Largest |analytic − numeric| / (atol + rtol·|numeric|); ≤ 1 means every element agrees.
let worstRatio (atol: float) (rtol: float) (analytic: float[]) (numeric: float[]) =
    Array.map2 (fun a n -> abs (a - n) / (atol + rtol * abs n)) analytic numeric |> Array.max
