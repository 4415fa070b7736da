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

/// Compares reverse-mode gradients with central differences, per input.
module GradCheck =
    /// Step balancing truncation (h²) and round-off (ε/h) error in float64.
    [<Literal>]
    let DefaultStep = 1e-5

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

    /// Checks ∂f/∂inputs: runs f with recording, backward, and compares with central differences.
    /// Inputs should be float64 leaves; they are made to require gradients.
    let checkWith (h: float) (relFloor: float) (names: string[]) (f: Tensor[] -> Tensor) (inputs: Tensor[]) =
        for x in inputs do
            if not x.IsLeaf then invalidArg "inputs" "gradcheck inputs must be leaf tensors"
            x.RequireGrad() |> ignore
            x.SetGrad null
        let y = f inputs
        y.Backward()
        let analytic = inputs |> Array.map (fun x -> x.Grad)
        let numeric = NumericalGradient.ofTensors f inputs h
        compare names analytic numeric h relFloor

    let check (f: Tensor[] -> Tensor) (inputs: Tensor[]) =
        checkWith DefaultStep DefaultRelFloor (Array.init inputs.Length (sprintf "input%d")) f inputs
