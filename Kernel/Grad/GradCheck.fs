namespace InitLab.Kernel.Grad

open System
open InitLab.Kernel

/// How far autodiff's gradient of one input is from the numerical one.
type GradCheckEntry =
    { Name: string
      Shape: int[]
      /// max_i |autodiff_i − numerical_i|
      MaxAbsError: float
      /// max_i |a_i − n_i| / max(|a_i|, |n_i|, floor): relative where the gradient is not tiny.
      MaxRelError: float
      /// mean_i |a_i − n_i|: the textbook's check of backprop against numerical gradients.
      MeanAbsError: float }

type GradCheckReport =
    { Entries: GradCheckEntry list
      Step: float
      RelFloor: float }
    member r.MaxRelError = r.Entries |> List.map (fun e -> e.MaxRelError) |> List.fold max 0.0
    member r.MaxAbsError = r.Entries |> List.map (fun e -> e.MaxAbsError) |> List.fold max 0.0
    member r.Passed(tolerance: float) = r.MaxRelError < tolerance
    override r.ToString() =
        r.Entries
        |> List.map (fun e -> $"{e.Name} {Shape.show e.Shape}: max abs {e.MaxAbsError:E2}, max rel {e.MaxRelError:E2}, mean abs {e.MeanAbsError:E2}")
        |> String.concat Environment.NewLine

/// Compares reverse-mode gradients with finite differences, per input.
module GradCheck =
    /// Step of the five-point stencil `check` uses: truncation O(h⁴) ≈ 1e-12 and round-off ≈ ε·|f|/h
    /// both stay far below the 1e-6 bar, where a two-point step would have to trade one for the other.
    [<Literal>]
    let DefaultStep = 1e-3

    /// Denominator floor of the relative error, so gradients that are ~0 are judged absolutely.
    [<Literal>]
    let DefaultRelFloor = 1e-3

    let compare (names: string[]) (analytic: Tensor[]) (numeric: Tensor[]) (h: float) (relFloor: float) =
        let entries =
            [ for i in 0 .. analytic.Length - 1 do
                  let a = if isNull analytic[i] then Array.zeroCreate numeric[i].Numel else analytic[i].ToArray()
                  let n = numeric[i].ToArray()
                  let diffs = Array.map2 (fun (x: float) y -> abs (x - y)) a n
                  let rels = Array.map3 (fun d (x: float) (y: float) -> d / (max (max (abs x) (abs y)) relFloor)) diffs a n
                  { Name = names[i]
                    Shape = numeric[i].Shape
                    MaxAbsError = Array.fold max 0.0 diffs
                    MaxRelError = Array.fold max 0.0 rels
                    MeanAbsError = if diffs.Length = 0 then 0.0 else Array.average diffs } ]
        { Entries = entries; Step = h; RelFloor = relFloor }

    /// Checks ∂f/∂inputs: runs f with recording, backward, and compares with `difference` at step h.
    /// Inputs should be float64 leaves; they are made to require gradients. Keep kinks (relu at 0,
    /// ties of max) farther than 2h from the inputs, or the numerical side is not a derivative.
    let checkBy (difference: Difference) (h: float) (relFloor: float) (names: string[]) (f: Tensor[] -> Tensor) (inputs: Tensor[]) =
        for x in inputs do
            if not x.IsLeaf then invalidArg "inputs" "gradcheck inputs must be leaf tensors"
            x.RequireGrad() |> ignore
            x.SetGrad null
        let y = f inputs
        y.Backward()
        let analytic = inputs |> Array.map (fun x -> x.Grad)
        let numeric = NumericalGradient.ofTensorsWith difference f inputs h
        compare names analytic numeric h relFloor

    /// The textbook's check: central differences with step h.
    let checkWith (h: float) (relFloor: float) (names: string[]) (f: Tensor[] -> Tensor) (inputs: Tensor[]) =
        checkBy Central h relFloor names f inputs

    /// The strict check: five-point differences with `DefaultStep`, inputs named input0, input1, …
    let check (f: Tensor[] -> Tensor) (inputs: Tensor[]) =
        checkBy FivePoint DefaultStep DefaultRelFloor (Array.init inputs.Length (sprintf "input%d")) f inputs
