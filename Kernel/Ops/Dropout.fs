namespace InitLab.Kernel.Ops

open InitLab.Kernel

/// x·mask, where mask holds 0 or 1/(1−p) (inverted dropout, so evaluation needs no rescaling).
type DropoutFn(mask: RawTensor) =
    inherit Function()
    override _.Name = "Dropout"
    override _.Forward(inputs) = inputs[0].Binary(BinaryOp.Mul, mask)
    override _.Backward(g, _) = [| g.Binary(BinaryOp.Mul, mask) |]
    override _.ReleaseSaved() = mask.Release()
