namespace InitLab.Kernel.Nn

open InitLab.Kernel

/// Pooling over k×k windows of [N; C; H; W]; the two kinds differ only in what a window reduces to.
[<AbstractClass>]
type Pool2d(kind: string, kernelSize: int, stride: int) =
    inherit Module()
    do
        Param.checkPositive kind "kernelSize" kernelSize
        Param.checkPositive kind "stride" stride
    member _.KernelSize = kernelSize
    member _.Stride = stride
    /// The window reduction itself, on an input already checked.
    abstract Pool: Tensor -> Tensor
    override this.Forward(x) =
        // checked here as well as in the op, so the error names the layer
        if isNull x then nullArg "x"
        if x.Rank <> 4 then invalidArg "x" $"{this.Describe()}: expected input [N; C; H; W], got {Shape.show x.Shape}"
        if x.Shape[2] < kernelSize || x.Shape[3] < kernelSize then
            invalidArg "x" $"{this.Describe()}: input {Shape.show x.Shape} is smaller than the {kernelSize}×{kernelSize} window"
        this.Pool x
    override _.Describe() = $"{kind}({kernelSize}×{kernelSize}, stride {stride})"

/// Max pooling (stride defaults to k, as in Caffe's LeNet and PyTorch).
type MaxPool2d(kernelSize: int, ?stride: int) =
    inherit Pool2d("MaxPool2d", kernelSize, defaultArg stride kernelSize)
    override this.Pool x = x.MaxPool2d(this.KernelSize, this.Stride)
    override this.CreateSimilar() = MaxPool2d(this.KernelSize, this.Stride)

/// Average pooling (stride defaults to k).
type AvgPool2d(kernelSize: int, ?stride: int) =
    inherit Pool2d("AvgPool2d", kernelSize, defaultArg stride kernelSize)
    override this.Pool x = x.AvgPool2d(this.KernelSize, this.Stride)
    override this.CreateSimilar() = AvgPool2d(this.KernelSize, this.Stride)
