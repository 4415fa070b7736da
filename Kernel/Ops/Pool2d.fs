namespace InitLab.Kernel.Ops

open InitLab.Kernel

/// Max pooling (kernel k, stride s, floor output size); keeps the arg-max of each window for backward.
type MaxPool2dFn(k: int, stride: int) =
    inherit Function()
    let mutable inShape: int[] = [||]
    let mutable argmax: int[] = [||]
    override _.Name = "MaxPool2d"
    override _.Forward(inputs) =
        inShape <- inputs[0].Shape
        let y, idx = inputs[0].MaxPool2d(k, stride)
        argmax <- idx
        y
    override _.Backward(g, _) = [| g.MaxPool2dBackward(argmax, inShape) |]
    override _.ReleaseSaved() =
        BufferPool<int>.Return argmax
        argmax <- [||]

/// Average pooling (kernel k, stride s, no padding).
type AvgPool2dFn(k: int, stride: int) =
    inherit Function()
    let mutable inShape: int[] = [||]
    override _.Name = "AvgPool2d"
    override _.Forward(inputs) =
        inShape <- inputs[0].Shape
        inputs[0].AvgPool2d(k, stride)
    override _.Backward(g, _) = [| g.AvgPool2dBackward(inShape, k, stride) |]
