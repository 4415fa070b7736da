namespace InitLab.Kernel.Nn

open InitLab.Kernel
open InitLab.Kernel.Init

/// 2-D convolution over [N; C; H; W] with a square kernel, weight OIHW [out; in; k; k], bias [out].
/// Defaults as PyTorch: stride 1, padding 0, weight and bias U(±1/√(in·k·k)).
type Conv2d(inChannels: int, outChannels: int, kernelSize: int, ?stride: int, ?padding: int, ?bias: bool,
            ?weightInit: Initializer, ?biasInit: Initializer, ?gen: Generator, ?dtype: DType) =
    inherit Module()
    let stride = defaultArg stride 1
    let padding = defaultArg padding 0
    do
        Param.checkPositive "Conv2d" "inChannels" inChannels
        Param.checkPositive "Conv2d" "outChannels" outChannels
        Param.checkPositive "Conv2d" "kernelSize" kernelSize
        Param.checkPositive "Conv2d" "stride" stride
        if padding < 0 then invalidArg "padding" $"Conv2d: padding must be ≥ 0, got {padding}"
    let hasBias = defaultArg bias true
    let dtype = defaultArg dtype Float32
    let gen = Param.generatorOr gen
    let wShape = [| outChannels; inChannels; kernelSize; kernelSize |]
    let weight = Param.create (defaultArg weightInit TorchDefault) wShape wShape gen dtype
    let biasT = if hasBias then Param.create (defaultArg biasInit TorchDefault) [| outChannels |] wShape gen dtype else null

    member _.InChannels = inChannels
    member _.OutChannels = outChannels
    member _.KernelSize = kernelSize
    member _.Stride = stride
    member _.Padding = padding
    member _.Weight: Tensor = weight
    /// The bias, or null when the layer has none.
    member _.Bias: Tensor = biasT

    override _.LocalParameters = if hasBias then [| "weight", weight; "bias", biasT |] else [| "weight", weight |]

    override this.Forward(x) =
        if isNull x then nullArg "x"
        if x.Rank <> 4 || x.Shape[1] <> inChannels then
            invalidArg "x" $"{this.Describe()}: expected input [N; {inChannels}; H; W], got {Shape.show x.Shape}"
        if x.Shape[2] + 2 * padding < kernelSize || x.Shape[3] + 2 * padding < kernelSize then
            invalidArg "x" $"{this.Describe()}: input {Shape.show x.Shape} is smaller than the {kernelSize}×{kernelSize} kernel"
        x.Conv2d(weight, biasT, stride, padding)

    override _.CreateSimilar() =
        Conv2d(inChannels, outChannels, kernelSize, stride, padding, hasBias, Param.placeholder, Param.placeholder,
               Generator(0), weight.DType)

    override _.Describe() =
        let extra = (if stride <> 1 then $", stride {stride}" else "") + (if padding <> 0 then $", padding {padding}" else "")
        let nb = if hasBias then "" else ", no bias"
        $"Conv2d({inChannels} → {outChannels}, {kernelSize}×{kernelSize}{extra}{nb})"
