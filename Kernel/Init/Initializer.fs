namespace InitLab.Kernel.Init

open System
open System.Globalization
open InitLab.Kernel

/// A declarative name for an initialiser, so configs and CLIs can choose one
/// (`Initializer.Parse "caffe-xavier:fan-out"`, `Msra FanIn`, `Gaussian 0.01`, …).
[<StructuralEquality; NoComparison>]
type Initializer =
    /// Every element equals the value.
    | Constant of value: float
    /// std · N(0, 1) (the textbook's 0.01 · N(0, 1)).
    | Gaussian of std: float
    /// U[low, high).
    | Uniform of low: float * high: float
    /// Glorot uniform: U(±√(6/(fan_in + fan_out))).
    | Xavier
    /// Glorot normal: N(0, 2/(fan_in + fan_out)).
    | XavierNormal
    /// Caffe's "xavier": U(±√(3/n)), variance 1/n with n chosen by the fan mode.
    | XavierCaffe of FanMode
    /// He / Caffe's "msra": N(0, 2/n) with n chosen by the fan mode.
    | Msra of FanMode
    /// (Semi-)orthogonal matrix times the gain.
    | Orthogonal of gain: float
    /// PyTorch's Linear/Conv default: U(±1/√fan_in), fan_in taken from the weight's shape.
    | TorchDefault

    /// Draws values for a tensor of `shape` in float64. `fanShape` is the shape the fans come from
    /// (the weight's shape when initialising its bias; defaults to `shape`).
    member this.Values(shape: int[], gen: Generator, ?fanShape: int[]) : float[] =
        let fanShape = defaultArg fanShape shape
        let needFan () =
            if fanShape.Length < 2 then
                invalidArg "shape" $"initialiser '{this.Describe()}' needs a weight shape of rank ≥ 2 to compute fans, got {Shape.show fanShape}; pass the weight's shape as fanShape when initialising a bias"
        let n = Shape.numel shape
        let normal (std: unit -> float) =
            needFan ()
            Sampling.normal gen (std ()) n
        let symmetric (bound: unit -> float) =
            needFan ()
            let b = bound ()
            Sampling.uniform gen -b b n
        match this with
        | Constant c -> ConstantInit.values c shape
        | Gaussian s -> GaussianInit.values s shape gen
        | Uniform(a, b) -> UniformInit.values a b shape gen
        | Xavier -> symmetric (fun () -> GlorotInit.uniformBound 1.0 fanShape)
        | XavierNormal -> normal (fun () -> GlorotInit.normalStd 1.0 fanShape)
        | XavierCaffe mode -> symmetric (fun () -> CaffeXavierInit.scale mode fanShape)
        | Msra mode -> normal (fun () -> MsraInit.std mode fanShape)
        | Orthogonal gain ->
            if fanShape <> shape then invalidArg "shape" $"orthogonal initialiser applies to a weight matrix, not to a tensor of shape {Shape.show shape}"
            OrthogonalInit.values gain shape gen
        | TorchDefault ->
            needFan ()
            TorchDefaultInit.values fanShape shape gen

    /// A tensor of `shape` (Float32 unless `dtype` says otherwise) drawn from this initialiser.
    member this.Create(shape: int[], gen: Generator, ?fanShape: int[], ?dtype: DType) : Tensor =
        let values = this.Values(shape, gen, defaultArg fanShape shape)
        Sampling.toTensor (defaultArg dtype Float32) shape values

    /// The canonical string form, accepted back by `Parse`.
    member this.Describe() =
        let f (x: float) = x.ToString("R", CultureInfo.InvariantCulture)
        let mode m =
            match m with
            | FanIn -> ""
            | FanOut -> ":fan-out"
            | FanAverage -> ":average"
        match this with
        | Constant c -> $"constant:{f c}"
        | Gaussian s -> $"gaussian:{f s}"
        | Uniform(a, b) -> $"uniform:{f a},{f b}"
        | Xavier -> "xavier"
        | XavierNormal -> "xavier-normal"
        | XavierCaffe m -> "caffe-xavier" + mode m
        | Msra m -> "msra" + mode m
        | Orthogonal g -> if g = 1.0 then "orthogonal" else $"orthogonal:{f g}"
        | TorchDefault -> "torch-default"

    override this.ToString() = this.Describe()

    /// Forms `Parse` accepts (case-insensitive).
    static member Forms =
        [| "constant:V"; "gaussian:STD"; "uniform:LOW,HIGH"; "xavier"; "xavier-normal"
           "caffe-xavier[:fan-in|fan-out|average]"; "msra[:fan-in|fan-out|average]"
           "orthogonal[:GAIN]"; "torch-default" |]

    /// Parses the string form (see `Forms`); bad input raises an error naming the text.
    static member Parse(text: string) : Initializer =
        if isNull text then nullArg "text"
        let forms = String.Join(", ", Initializer.Forms)
        let fail why = invalidArg "text" $"cannot parse initialiser '{text}': {why}. Accepted forms: {forms}"
        let s = text.Trim().ToLowerInvariant()
        let name, arg =
            match s.IndexOf ':' with
            | -1 -> s, None
            | i -> s.Substring(0, i), Some(s.Substring(i + 1).Trim())
        let num (a: string) =
            match Double.TryParse(a.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture) with
            | true, v when Double.IsFinite v -> v
            | _ -> fail $"'{a}' is not a finite number"
        let required () =
            match arg with
            | Some a when a <> "" -> a
            | _ -> fail $"'{name}' needs an argument"
        let noArg v = if arg.IsSome then fail $"'{name}' takes no argument" else v
        let fanMode () =
            match arg with
            | None | Some "fan-in" | Some "fan_in" | Some "fanin" -> FanIn
            | Some "fan-out" | Some "fan_out" | Some "fanout" -> FanOut
            | Some "average" | Some "avg" -> FanAverage
            | Some a -> fail $"unknown fan mode '{a}' (fan-in, fan-out or average)"
        match name with
        | "constant" | "const" -> Constant(num (required ()))
        | "gaussian" | "normal" ->
            let s = num (required ())
            if s < 0.0 then fail "the standard deviation must be ≥ 0"
            Gaussian s
        | "uniform" ->
            match (required ()).Split(',') with
            | [| a; b |] ->
                let a, b = num a, num b
                if a > b then fail $"low {a} exceeds high {b}"
                Uniform(a, b)
            | _ -> fail "uniform needs two numbers LOW,HIGH"
        | "xavier" | "glorot" | "xavier-uniform" | "glorot-uniform" -> noArg Xavier
        | "xavier-normal" | "glorot-normal" -> noArg XavierNormal
        | "caffe-xavier" -> XavierCaffe(fanMode ())
        | "msra" | "he" | "kaiming" -> Msra(fanMode ())
        | "orthogonal" ->
            let g = match arg with None -> 1.0 | Some _ -> num (required ())
            if g <= 0.0 then fail "the gain must be positive"
            Orthogonal g
        | "torch-default" | "pytorch" -> noArg TorchDefault
        | _ -> fail $"unknown initialiser '{name}'"
