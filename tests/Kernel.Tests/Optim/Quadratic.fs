/// The test problem for optimisers: f(w) = ½·Σ aᵢ·wᵢ², gradient a·w, minimum at 0.
module InitLab.Kernel.Tests.Optim.Quadratic

open InitLab.Kernel

let a = [| 1.0; 2.0; 0.5; 4.0 |]
let w0 = [| 1.0; -2.0; 3.0; 0.5 |]

/// A float64 parameter holding `values`.
let param (values: float[]) = Tensor.OfArray(values, [| values.Length |]).RequireGrad()

/// A float32 parameter holding `values` (rounded).
let param32 (values: float[]) = Tensor.OfArray(Array.map float32 values, [| values.Length |]).RequireGrad()

/// The hand-computed gradient a·w, set as the parameter's gradient.
let setGrad (t: Tensor) =
    let w = t.ToArray()
    let g = Array.map2 (*) a w
    t.SetGrad(if t.DType = Float32 then Tensor.OfArray(Array.map float32 g, t.Shape) else Tensor.OfArray(g, t.Shape))

/// f(w) through the autodiff graph; backward() fills the gradient a·w.
let loss (t: Tensor) =
    let coeffs = Tensor.OfArray(a, [| a.Length |]).Cast t.DType
    (coeffs * t * t).Sum() * 0.5

let value (w: float[]) = 0.5 * Array.fold2 (fun s ai wi -> s + ai * wi * wi) 0.0 a w

/// Asserts two float arrays agree to a relative 1e-12 (float64 runs of the same formula).
let close (actual: float[]) (expected: float[]) (what: string) =
    Expecto.Expect.equal actual.Length expected.Length $"{what}: length"
    for i in 0 .. actual.Length - 1 do
        let tol = 1e-12 * max 1.0 (abs expected[i])
        if not (abs (actual[i] - expected[i]) <= tol) then
            failwithf "%s: element %d is %.17g, expected %.17g" what i actual[i] expected[i]
