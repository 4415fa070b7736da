namespace InitLab.Kernel

open System
open System.Numerics
open System.Numerics.Tensors
open InitLab.Kernel.Raw

/// The raw layer: shape + contiguous row-major storage + the primitive ops (no autodiff).
/// `Tensor` records a graph on top of it; each op's forward and backward call these primitives.
[<AbstractClass; AllowNullLiteral>]
type RawTensor(shape: int[]) =
    member _.Shape = shape
    member _.Rank = shape.Length
    member val Numel = Shape.numel shape
    abstract DType: DType
    abstract Release: unit -> unit
    abstract IsReleased: bool
    /// True when no view shares this tensor's storage (safe to write in place).
    abstract IsExclusive: bool
    abstract DataArray: Array

    abstract Item: int -> float
    abstract SetItem: int * float -> unit
    abstract ToFloat64Array: unit -> float[]
    abstract ToFloat32Array: unit -> float32[]
    abstract Clone: unit -> RawTensor
    abstract Cast: DType -> RawTensor
    abstract View: int[] -> RawTensor
    abstract ZerosLike: unit -> RawTensor
    abstract New: int[] -> RawTensor
    abstract NewZeros: int[] -> RawTensor
    abstract NewOfFloat64: float[] * int[] -> RawTensor

    abstract Unary: UnaryOp -> RawTensor
    /// grad·f'(x) for a unary op, given its input x and output y.
    abstract UnaryBackward: UnaryOp * x: RawTensor * y: RawTensor -> RawTensor
    abstract Binary: BinaryOp * RawTensor -> RawTensor
    abstract AddScalar: float -> RawTensor
    abstract MulScalar: float -> RawTensor
    abstract PowScalar: float -> RawTensor
    /// this += other (same shape), in place: gradient accumulation.
    abstract AccumulateInPlace: RawTensor -> unit
    abstract FillInPlace: float -> unit
    abstract AllFinite: unit -> bool

    abstract SumAll: unit -> float
    abstract SumAxis: axis: int * keepDim: bool -> RawTensor
    abstract MaxAxis: axis: int * keepDim: bool -> RawTensor * int[]
    /// Sums a broadcast gradient back down to `shape` (the inverse of broadcasting).
    abstract SumTo: int[] -> RawTensor
    abstract Expand: int[] -> RawTensor
    abstract Permute: int[] -> RawTensor
    abstract Slice: axis: int * start: int * length: int -> RawTensor
    /// Places this tensor as the slice [start, start+len) of `axis` in a zero tensor of `fullShape`.
    abstract Unslice: fullShape: int[] * axis: int * start: int -> RawTensor
    abstract IndexSelect: axis: int * indices: int[] -> RawTensor
    abstract IndexAdd: fullShape: int[] * axis: int * indices: int[] -> RawTensor
    abstract Concat: RawTensor[] * axis: int -> RawTensor

    abstract Matmul: RawTensor * transA: bool * transB: bool -> RawTensor
    abstract Linear: weight: RawTensor * bias: RawTensor -> RawTensor
    abstract Conv2d: weight: RawTensor * bias: RawTensor * stride: int * pad: int -> RawTensor
    abstract Conv2dBackward: weight: RawTensor * dy: RawTensor * stride: int * pad: int * needInput: bool * needBias: bool -> RawTensor * RawTensor * RawTensor
    abstract MaxPool2d: k: int * stride: int -> RawTensor * int[]
    abstract MaxPool2dBackward: argmax: int[] * inputShape: int[] -> RawTensor
    abstract AvgPool2d: k: int * stride: int -> RawTensor
    abstract AvgPool2dBackward: inputShape: int[] * k: int * stride: int -> RawTensor
    abstract LogSoftmax: axis: int -> RawTensor
    abstract Softmax: axis: int -> RawTensor

/// Buffers of raw tensors made on this thread inside a scope return to the pool when the scope ends:
/// evaluation loops run without recording a graph, so nothing else would recycle their intermediates.
[<Sealed; AbstractClass>]
type BufferScope =
    [<ThreadStatic; DefaultValue>]
    static val mutable private active: Collections.Generic.List<RawTensor>
    static member internal Register(t: RawTensor) =
        let a = BufferScope.active
        if not (isNull a) then a.Add t
    /// Starts a scope; disposing it releases every raw tensor made in it (nested scopes end first).
    static member Begin() : IDisposable =
        let previous = BufferScope.active
        let mine = Collections.Generic.List<RawTensor>()
        BufferScope.active <- mine
        { new IDisposable with
            member _.Dispose() =
                BufferScope.active <- previous
                for t in mine do t.Release() }
