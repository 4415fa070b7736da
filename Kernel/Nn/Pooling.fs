namespace InitLab.Kernel.Nn

open InitLab.Kernel

module internal PoolCheck =
    let input (layer: string) (k: int) (x: Tensor) =
        if isNull x then nullArg "x"
        if x.Rank <> 4 then invalidArg "x" $"{layer}: expected input [N; C; H; W], got {Shape.show x.Shape}"
        if x.Shape[2] < k || x.Shape[3] < k then
            invalidArg "x" $"{layer}: input {Shape.show x.Shape} is smaller than the {k}×{k} window"

/// Max pooling over k×k windows of [N; C; H; W] (stride defaults to k, as in Caffe's LeNet and PyTorch).
type MaxPool2d(kernelSize: int, ?stride: int) =
    inherit Module()
    let stride = defaultArg stride kernelSize
    do
        Param.checkPositive "MaxPool2d" "kernelSize" kernelSize
        Param.checkPositive "MaxPool2d" "stride" stride
    member _.KernelSize = kernelSize
    member _.Stride = stride
    override this.Forward(x) =
        PoolCheck.input (this.Describe()) kernelSize x
        x.MaxPool2d(kernelSize, stride)
    override _.CreateSimilar() = MaxPool2d(kernelSize, stride)
    override _.Describe() = $"MaxPool2d({kernelSize}×{kernelSize}, stride {stride})"

/// Average pooling over k×k windows of [N; C; H; W] (stride defaults to k).
type AvgPool2d(kernelSize: int, ?stride: int) =
    inherit Module()
    let stride = defaultArg stride kernelSize
    do
        Param.checkPositive "AvgPool2d" "kernelSize" kernelSize
        Param.checkPositive "AvgPool2d" "stride" stride
    member _.KernelSize = kernelSize
    member _.Stride = stride
    override this.Forward(x) =
        PoolCheck.input (this.Describe()) kernelSize x
        x.AvgPool2d(kernelSize, stride)
    override _.CreateSimilar() = AvgPool2d(kernelSize, stride)
    override _.Describe() = $"AvgPool2d({kernelSize}×{kernelSize}, stride {stride})"
