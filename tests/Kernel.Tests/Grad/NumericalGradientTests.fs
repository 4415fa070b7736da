module InitLab.Kernel.Tests.Grad.NumericalGradientTests

open Expecto
open InitLab.Kernel
open InitLab.Kernel.Grad
open InitLab.Kernel.Tests.Check

[<Tests>]
let tests =
    testList "grad.numerical" [
        test "central difference of a polynomial is exact to O(h²)" {
            // f(x) = 0.01x² + 0.1x, f'(x) = 0.02x + 0.1
            let f x = 0.01 * x * x + 0.1 * x
            Expect.floatClose Accuracy.high (NumericalGradient.centralDifference f 5.0 1e-4) 0.2 "x = 5"
            Expect.floatClose Accuracy.high (NumericalGradient.centralDifference f 10.0 1e-4) 0.3 "x = 10"
            let fwd = NumericalGradient.forwardDifference f 5.0 1e-4
            Expect.isGreaterThan (abs (fwd - 0.2)) 1e-7 "the forward difference carries an O(h) error"
        }
        test "vector gradient of x0² + x1²" {
            let f (x: float[]) = x[0] * x[0] + x[1] * x[1]
            close 1e-8 "(3, 4)" [| 6.0; 8.0 |] (NumericalGradient.ofVector f [| 3.0; 4.0 |] 1e-4)
        }
        test "tensor gradient agrees with autodiff, and gradcheck reports each input" {
            let x = randn 1 [| 3; 4 |]
            let w = randn 2 [| 4; 2 |]
            let f (t: Tensor[]) = (t[0].Matmul t[1]).Tanh().Sum()
            let report = GradCheck.checkBy FivePoint GradCheck.DefaultStep GradCheck.DefaultRelFloor [| "x"; "w" |] f [| x; w |]
            Expect.equal (report.Entries |> List.map (fun e -> e.Name)) [ "x"; "w" ] "one entry per input"
            Expect.isLessThan report.MaxRelError 1e-6 "agreement"
        }
        test "five-point differences are exact for a quartic where central ones carry the h² term" {
            // f(x) = Σ x⁴, f′(x) = 4x³; the central error is h²·f‴/6 = 4h²x, the five-point one h⁴·f⁽⁵⁾/30 = 0
            let x = Tensor.OfArray([| 0.5; -1.5; 2.0 |], [| 3 |])
            let f (t: Tensor[]) = (t[0] * t[0] * t[0] * t[0]).Sum()
            let exact = x.ToArray() |> Array.map (fun v -> 4.0 * v * v * v)
            let h = 1e-2
            let fivePoint = NumericalGradient.ofTensorsWith FivePoint f [| x |] h
            close 1e-10 "five-point" exact (fivePoint[0].ToArray())
            let central = NumericalGradient.ofTensors f [| x |] h
            let withoutH2 = Array.map2 (fun (c: float) v -> c - 4.0 * h * h * v) (central[0].ToArray()) (x.ToArray())
            close 1e-10 "central minus its h² term" exact withoutH2
            close 0.0 "inputs restored" [| 0.5; -1.5; 2.0 |] (x.ToArray())
        }
        test "a step too small to change a float32 value is a clear error, and the input is restored" {
            let x = (Tensor.OfArray([| 1000.0 |], [| 1 |])).Cast Float32
            throwsWith "vanishes next to the value 1000" (fun () -> NumericalGradient.ofTensors (fun t -> t[0].Sum()) [| x |] 1e-8 |> ignore)
            close 0.0 "restored" [| 1000.0 |] (x.ToArray())
        }
        test "gradcheck catches a wrong gradient" {
            // d/dx of x·|x| is 2|x|; compare it with a function whose autodiff we deliberately cut
            let x = randAway 3 [| 5 |]
            let wrong (t: Tensor[]) = (t[0] * t[0].Abs().Detach()).Sum()
            let analytic = [| (x.Clone().RequireGrad() |> fun v -> (wrong [| v |]).Backward(); v.Grad) |]
            let numeric = NumericalGradient.ofTensors wrong [| x |] 1e-5
            // detach makes the function itself differ from the graph, so numerical ≠ analytic
            let report = GradCheck.compare [| "x" |] analytic numeric 1e-5 GradCheck.DefaultRelFloor
            Expect.isGreaterThan report.MaxRelError 0.1 "the check must fail on a wrong gradient"
        }
    ]
