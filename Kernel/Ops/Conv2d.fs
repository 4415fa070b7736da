namespace InitLab.Kernel.Ops

open InitLab.Kernel

/// 2-D convolution, NCHW input, OIHW weight, optional bias, square stride and zero padding.
/// Forward and backward run on the raw layer's im2col/GEMM kernels.
type Conv2dFn(stride: int, pad: int, hasBias: bool) =
    inherit Function()
    let mutable x: RawTensor = null
    let mutable w: RawTensor = null
    override _.Name = "Conv2d"
    override _.Forward(inputs) =
        x <- inputs[0]
        w <- inputs[1]
        x.Conv2d(w, (if hasBias then inputs[2] else null), stride, pad)
    override _.Backward(g, needs) =
        let gx, gw, gb = x.Conv2dBackward(w, g, stride, pad, needs[0], hasBias && needs[2])
        let gw = if needs[1] then gw else (gw.Release(); null)
        if hasBias then [| gx; gw; gb |] else [| gx; gw |]
