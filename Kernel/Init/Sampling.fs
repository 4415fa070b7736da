namespace InitLab.Kernel.Init

open InitLab.Kernel

/// Turning drawn values into tensors. Every initialiser draws in float64 in row-major order from
/// the generator it is given, so a float32 and a float64 tensor from the same seed hold the same
/// values up to rounding, and the draw count (hence the generator's state afterwards) is the same.
module Sampling =
    let checkShape (what: string) (shape: int[]) =
        if isNull shape then nullArg "shape"
        if shape |> Array.exists (fun d -> d < 0) then
            invalidArg "shape" $"{what}: negative dimension in shape {Shape.show shape}"

    let toTensor (dtype: DType) (shape: int[]) (values: float[]) =
        Tensor(RawTensors.ofFloat64 dtype values (Array.copy shape))

    let normal (gen: Generator) (std: float) (n: int) = Array.init n (fun _ -> std * gen.NextNormal())

    let uniform (gen: Generator) (low: float) (high: float) (n: int) =
        Array.init n (fun _ -> low + (high - low) * gen.NextDouble())

    let checkPositive (what: string) (name: string) (v: float) =
        if not (v > 0.0 && System.Double.IsFinite v) then
            invalidArg name $"{what}: {name} must be a positive finite number, got {v}"
