namespace InitLab.Kernel.Init

open InitLab.Kernel

/// Which fan a variance-scaling initialiser divides by (Caffe's `variance_norm`).
type FanMode =
    | FanIn
    | FanOut
    /// (fan_in + fan_out) / 2
    | FanAverage
    override this.ToString() =
        match this with
        | FanIn -> "fan-in"
        | FanOut -> "fan-out"
        | FanAverage -> "average"

/// Fan computation shared by all variance-scaling initialisers. Caffe's definition, which matches
/// PyTorch's for the shapes we use: fan_in = count / shape[0], fan_out = count / shape[1], so
/// Linear [out; in] has fan_in = in, fan_out = out, and Conv OIHW has fan_in = I·k·k, fan_out = O·k·k.
module Fan =
    let private check (shape: int[]) =
        if shape.Length < 2 then
            invalidArg "shape" $"fan-based initialisers need a weight of rank ≥ 2 ([out; in] or [O; I; kH; kW]), got shape {Shape.show shape}"
        if shape |> Array.exists (fun d -> d <= 0) then
            invalidArg "shape" $"cannot compute fans of shape {Shape.show shape}: every dimension must be positive"

    /// Inputs feeding one output unit: shape[1] · receptive field.
    let fanIn (shape: int[]) =
        check shape
        Shape.numel shape / shape[0]

    /// Outputs fed by one input unit: shape[0] · receptive field.
    let fanOut (shape: int[]) =
        check shape
        Shape.numel shape / shape[1]

    /// The fan selected by `mode`, as a float (the average need not be an integer).
    let select (mode: FanMode) (shape: int[]) =
        match mode with
        | FanIn -> float (fanIn shape)
        | FanOut -> float (fanOut shape)
        | FanAverage -> float (fanIn shape + fanOut shape) / 2.0
