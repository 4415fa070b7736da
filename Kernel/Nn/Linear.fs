namespace InitLab.Kernel.Nn

open InitLab.Kernel
open InitLab.Kernel.Init

/// Fully connected layer y = x·Wᵀ + b, weight [out; in], bias [out]. Defaults as PyTorch:
/// weight and bias U(±1/√in). Inputs are [N; in] (or any [..; in]).
type Linear(inFeatures: int, outFeatures: int, ?bias: bool, ?weightInit: Initializer, ?biasInit: Initializer,
            ?gen: Generator, ?dtype: DType) =
    inherit Module()
    do
        Param.checkPositive "Linear" "inFeatures" inFeatures
        Param.checkPositive "Linear" "outFeatures" outFeatures
    let hasBias = defaultArg bias true
    let dtype = defaultArg dtype Float32
    let gen = Param.generatorOr gen
    let wShape = [| outFeatures; inFeatures |]
    let weight = Param.create (defaultArg weightInit TorchDefault) wShape wShape gen dtype
    let biasT = if hasBias then Param.create (defaultArg biasInit TorchDefault) [| outFeatures |] wShape gen dtype else null

    member _.InFeatures = inFeatures
    member _.OutFeatures = outFeatures
    member _.Weight: Tensor = weight
    /// The bias, or null when the layer has none.
    member _.Bias: Tensor = biasT

    override _.LocalParameters = if hasBias then [| "weight", weight; "bias", biasT |] else [| "weight", weight |]

    override this.Forward(x) =
        if isNull x then nullArg "x"
        if x.Rank < 1 || x.Shape[x.Rank - 1] <> inFeatures then
            invalidArg "x" $"{this.Describe()}: input of shape {Shape.show x.Shape} does not end in {inFeatures} features"
        x.Linear(weight, biasT)

    override _.CreateSimilar() =
        Linear(inFeatures, outFeatures, hasBias, Param.placeholder, Param.placeholder, Generator(0), weight.DType)

    override _.Describe() = $"""Linear({inFeatures} → {outFeatures}{(if hasBias then "" else ", no bias")})"""
