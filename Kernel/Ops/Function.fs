namespace InitLab.Kernel.Ops

open InitLab.Kernel

/// One differentiable op, tinygrad-style: Forward computes the output from raw inputs and saves what
/// Backward needs; Backward maps the output's gradient to one gradient per input (null where the
/// input needs none). Both return fresh tensors (or views) that the caller then owns.
[<AbstractClass; AllowNullLiteral>]
type Function() =
    abstract Name: string
    abstract Forward: inputs: RawTensor[] -> RawTensor
    abstract Backward: grad: RawTensor * needsGrad: bool[] -> RawTensor[]
    /// Releases buffers the op saved for backward (called once the graph is freed).
    abstract ReleaseSaved: unit -> unit
    default _.ReleaseSaved() = ()

module internal Grad =
    /// Reduces a broadcast gradient to `shape`, consuming `g`.
    let sumToOwned (g: RawTensor) (shape: int[]) =
        if g.Shape = shape then g
        else
            let r = g.SumTo shape
            g.Release()
            r

    let release (ts: RawTensor seq) = for t in ts do if not (isNull (box t)) then t.Release()
