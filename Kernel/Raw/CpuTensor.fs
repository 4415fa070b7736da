namespace InitLab.Kernel

open System
open System.Numerics
open System.Numerics.Tensors
open System.Runtime.Intrinsics
open InitLab.Kernel.Raw

/// Contiguous row-major tensor of float32 or float64 with the primitive ops.
[<Sealed; AllowNullLiteral>]
type RawTensor<'T when 'T :> IFloatingPointIeee754<'T> and 'T: struct and 'T: (new: unit -> 'T) and 'T :> ValueType>
    (storage: Storage<'T>, shape: int[]) =
    inherit RawTensor(shape)
    let mutable released = false

    static let ofF (x: float) = 'T.CreateTruncating x
    static let toF (x: 'T) = Double.CreateTruncating x
    static let registered (t: RawTensor<'T>) =
        BufferScope.Register t
        t
    static let make (shape: int[]) = registered (RawTensor<'T>(Storage(BufferPool<'T>.Rent(Shape.numel shape), true), shape))
    static let makeZeros (shape: int[]) = registered (RawTensor<'T>(Storage(BufferPool<'T>.RentZeroed(Shape.numel shape), true), shape))
    static let gt (a: 'T) (b: 'T) = 'T.op_GreaterThan(a, b)
    static let ro (a: 'T[]) = ReadOnlySpan<'T>(a)
    static let sp (a: 'T[]) = Span<'T>(a)

    /// Walks a broadcast: for each output element, the flat indices into a and b.
    static let broadcastIndices (outShape: int[]) (aShape: int[]) (bShape: int[]) (f: int -> int -> int -> unit) =
        let r = outShape.Length
        let pad (s: int[]) = Array.append (Array.create (r - s.Length) 1) s
        let a, b = pad aShape, pad bShape
        let sa = Shape.strides a |> Array.mapi (fun i s -> if a[i] = 1 then 0 else s)
        let sb = Shape.strides b |> Array.mapi (fun i s -> if b[i] = 1 then 0 else s)
        let idx = Array.zeroCreate r
        let mutable ai, bi = 0, 0
        let n = Shape.numel outShape
        for o in 0 .. n - 1 do
            f o ai bi
            // odometer increment
            let mutable d = r - 1
            let mutable carry = true
            while carry && d >= 0 do
                idx[d] <- idx[d] + 1
                ai <- ai + sa[d]
                bi <- bi + sb[d]
                if idx[d] < outShape[d] then carry <- false
                else
                    ai <- ai - sa[d] * outShape[d]
                    bi <- bi - sb[d] * outShape[d]
                    idx[d] <- 0
                    d <- d - 1

    static member Of(data: 'T[], shape: int[]) =
        if data.Length <> Shape.numel shape then
            invalidArg "data" $"{data.Length} values do not fill shape {Shape.show shape}"
        RawTensor<'T>(Storage(data, false), shape)

    member _.Storage = storage
    member _.Data: 'T[] = storage.Data
    override _.DType = if Kern.isF32<'T> then Float32 else Float64
    // idempotent per tensor: a tensor gives back its one reference at most once
    override _.Release() =
        if not released then
            released <- true
            storage.Release()
    override _.IsReleased = storage.IsReleased
    override _.IsExclusive = storage.RefCount = 1
    override _.DataArray = storage.Data :> Array
    override _.Item(i) = toF storage.Data[i]
    override _.SetItem(i, v) = storage.Data[i] <- ofF v
    override _.ToFloat64Array() = storage.Data |> Array.map toF
    override _.ToFloat32Array() = storage.Data |> Array.map (fun x -> float32 (toF x))

    override this.Clone() =
        let r = make shape
        Array.Copy(this.Data, r.Data, this.Numel)
        r

    override this.Cast(dt) =
        if dt = this.DType then this.Clone()
        else
            match dt with
            | Float32 -> RawTensor<float32>.Of(this.ToFloat32Array(), Array.copy shape)
            | Float64 -> RawTensor<float>.Of(this.ToFloat64Array(), Array.copy shape)

    override this.View(newShape) =
        let s = Shape.resolveReshape this.Numel newShape
        storage.AddRef()
        registered (RawTensor<'T>(storage, s))

    override _.ZerosLike() = makeZeros shape
    override _.New(s) = make s
    override _.NewZeros(s) = makeZeros s
    override _.NewOfFloat64(values, s) = RawTensor<'T>.Of(Array.map ofF values, s)

    override this.Unary(op) =
        let r = make shape
        let x = ro this.Data
        let y = sp r.Data
        match op with
        | UnaryOp.Neg -> TensorPrimitives.Negate<'T>(x, y)
        | UnaryOp.Exp -> TensorPrimitives.Exp<'T>(x, y)
        | UnaryOp.Log -> TensorPrimitives.Log<'T>(x, y)
        | UnaryOp.Sqrt -> TensorPrimitives.Sqrt<'T>(x, y)
        | UnaryOp.Abs -> TensorPrimitives.Abs<'T>(x, y)
        | UnaryOp.Relu -> TensorPrimitives.Max<'T>(x, 'T.Zero, y)
        | UnaryOp.Sigmoid -> TensorPrimitives.Sigmoid<'T>(x, y)
        | UnaryOp.Tanh -> TensorPrimitives.Tanh<'T>(x, y)
        | UnaryOp.Square -> TensorPrimitives.Multiply<'T>(x, x, y)
        | UnaryOp.Sign ->
            let d, o = this.Data, r.Data
            for i in 0 .. d.Length - 1 do o[i] <- ofF (float ('T.Sign d[i]))
        r

    override this.UnaryBackward(op: UnaryOp, x: RawTensor, y: RawTensor) : RawTensor =
        let g = this.Data
        let xd = (x :?> RawTensor<'T>).Data
        let yd = (y :?> RawTensor<'T>).Data
        let r = make shape
        let o = r.Data
        match op with
        | UnaryOp.Neg -> TensorPrimitives.Negate<'T>(ro g, sp o)
        | UnaryOp.Exp -> TensorPrimitives.Multiply<'T>(ro g, ro yd, sp o)
        | UnaryOp.Log -> TensorPrimitives.Divide<'T>(ro g, ro xd, sp o)
        | UnaryOp.Sqrt ->
            // d√x = 1 / (2√x)
            TensorPrimitives.Divide<'T>(ro g, ro yd, sp o)
            TensorPrimitives.Multiply<'T>(ro o, ofF 0.5, sp o)
        | UnaryOp.Abs -> for i in 0 .. o.Length - 1 do o[i] <- g[i] * ofF (float ('T.Sign xd[i]))
        | UnaryOp.Relu ->
            // g where x > 0, else 0 (NaN x gives 0): a 512-bit mask and AND per step; the scalar loop was a
            // sixth of a paper-003 training step
            let mutable i = 0
            if Vector512.IsHardwareAccelerated then
                let lanes = Vector512<'T>.Count
                while i + lanes <= o.Length do
                    let keep = Vector512.GreaterThan(Vector512.Create<'T>(ReadOnlySpan<'T>(xd, i, lanes)), Vector512<'T>.Zero)
                    (Vector512.Create<'T>(ReadOnlySpan<'T>(g, i, lanes)) &&& keep).CopyTo(Span(o, i, lanes))
                    i <- i + lanes
            while i < o.Length do
                o[i] <- if gt xd[i] 'T.Zero then g[i] else 'T.Zero
                i <- i + 1
        | UnaryOp.Sigmoid ->
            for i in 0 .. o.Length - 1 do
                let s: 'T = yd[i]
                o[i] <- g[i] * (s - s * s)
        | UnaryOp.Tanh -> for i in 0 .. o.Length - 1 do o[i] <- g[i] * ('T.One - yd[i] * yd[i])
        | UnaryOp.Square -> for i in 0 .. o.Length - 1 do o[i] <- g[i] * (xd[i] + xd[i])
        | UnaryOp.Sign -> Array.Clear o
        r

    static member private SpanOp(op: BinaryOp, a: 'T[], aOff: int, b: 'T[], bOff: int, o: 'T[], oOff: int, n: int) =
        let x = ReadOnlySpan<'T>(a, aOff, n)
        let y = ReadOnlySpan<'T>(b, bOff, n)
        let z = Span<'T>(o, oOff, n)
        match op with
        | BinaryOp.Add -> TensorPrimitives.Add<'T>(x, y, z)
        | BinaryOp.Sub -> TensorPrimitives.Subtract<'T>(x, y, z)
        | BinaryOp.Mul -> TensorPrimitives.Multiply<'T>(x, y, z)
        | BinaryOp.Div -> TensorPrimitives.Divide<'T>(x, y, z)
        | BinaryOp.Max -> TensorPrimitives.Max<'T>(x, y, z)
        | BinaryOp.Min -> TensorPrimitives.Min<'T>(x, y, z)

    override this.Binary(op, other) =
        let b = other :?> RawTensor<'T>
        let outShape = if shape = b.Shape then shape else Shape.broadcast shape b.Shape
        let r = make outShape
        let ad, bd, od = this.Data, b.Data, r.Data
        let inline scalarOp (x: 'T) (y: 'T) =
            match op with
            | BinaryOp.Add -> x + y
            | BinaryOp.Sub -> x - y
            | BinaryOp.Mul -> x * y
            | BinaryOp.Div -> x / y
            | BinaryOp.Max -> 'T.Max(x, y)
            | BinaryOp.Min -> 'T.Min(x, y)
        if ad.Length = od.Length && bd.Length = od.Length then RawTensor<'T>.SpanOp(op, ad, 0, bd, 0, od, 0, od.Length)
        elif ad.Length = od.Length && bd.Length > 0 && od.Length % bd.Length = 0
             && Array.forall2 (=) b.Shape outShape[outShape.Length - b.Shape.Length ..] then
            // b repeats along the leading axes (bias rows): one vector op per row
            let m = bd.Length
            for row in 0 .. od.Length / m - 1 do
                RawTensor<'T>.SpanOp(op, ad, row * m, bd, 0, od, row * m, m)
        else broadcastIndices outShape shape b.Shape (fun o ai bi -> od[o] <- scalarOp ad[ai] bd[bi])
        r :> RawTensor

    override this.AddScalar(s) =
        let r = make shape
        TensorPrimitives.Add<'T>(ro this.Data, ofF s, sp r.Data)
        r

    override this.MulScalar(s) =
        let r = make shape
        TensorPrimitives.Multiply<'T>(ro this.Data, ofF s, sp r.Data)
        r

    override this.PowScalar(p) =
        let r = make shape
        TensorPrimitives.Pow<'T>(ro this.Data, ofF p, sp r.Data)
        r

    override this.AccumulateInPlace(other) =
        let o = other :?> RawTensor<'T>
        if o.Numel <> this.Numel then
            invalidArg "other" $"cannot accumulate shape {Shape.show o.Shape} into {Shape.show shape}"
        TensorPrimitives.Add<'T>(ro this.Data, ro o.Data, sp this.Data)

    override this.FillInPlace(v) = Array.Fill(this.Data, ofF v)

    override this.AllFinite() =
        let d = this.Data
        let mutable ok = true
        let mutable i = 0
        // v − v is 0 for finite v and NaN for ±∞ and NaN: one sum of those per 512-bit lane says it all
        if Vector512.IsHardwareAccelerated then
            let lanes = Vector512<'T>.Count
            let mutable acc = Vector512<'T>.Zero
            while i + lanes <= d.Length do
                let v = Vector512.Create<'T>(ReadOnlySpan<'T>(d, i, lanes))
                acc <- acc + (v - v)
                i <- i + lanes
            ok <- Vector512.EqualsAll(acc, Vector512<'T>.Zero)
        while ok && i < d.Length do
            if not ('T.IsFinite d[i]) then ok <- false
            i <- i + 1
        ok

    override this.SumAll() = toF (TensorPrimitives.Sum<'T>(ro this.Data))

    override this.SumAxis(axis, keepDim) =
        let axis = Shape.axis shape.Length axis
        let outer, n, inner = Shape.around shape axis
        let r = makeZeros (Shape.reduced shape axis keepDim)
        let x, o = this.Data, r.Data
        for a in 0 .. outer - 1 do
            let dst = Span(o, a * inner, inner)
            for j in 0 .. n - 1 do
                TensorPrimitives.Add<'T>(ReadOnlySpan(o, a * inner, inner), ReadOnlySpan(x, (a * n + j) * inner, inner), dst)
        r

    override this.MaxAxis(axis, keepDim) =
        let axis = Shape.axis shape.Length axis
        let outer, n, inner = Shape.around shape axis
        if n = 0 then invalidArg "axis" $"max over an empty axis of shape {Shape.show shape}"
        let r = make (Shape.reduced shape axis keepDim)
        let idx = Array.zeroCreate (outer * inner)
        let x, o = this.Data, r.Data
        for a in 0 .. outer - 1 do
            for i in 0 .. inner - 1 do
                let mutable best = x[a * n * inner + i]
                let mutable bj = 0
                for j in 1 .. n - 1 do
                    let v = x[(a * n + j) * inner + i]
                    if gt v best || 'T.IsNaN v && not ('T.IsNaN best) then
                        best <- v
                        bj <- j
                o[a * inner + i] <- best
                idx[a * inner + i] <- bj
        r :> RawTensor, idx

    override this.SumTo(target) =
        if target = shape then this.Clone()
        else
            let r = makeZeros target
            let x, o = this.Data, r.Data
            let tn = r.Numel
            let tailMatches =
                target.Length <= shape.Length && Array.forall2 (=) target shape[shape.Length - target.Length ..]
            if tailMatches && tn > 0 then
                for row in 0 .. x.Length / tn - 1 do
                    TensorPrimitives.Add<'T>(ro o, ReadOnlySpan(x, row * tn, tn), sp o)
            else
                broadcastIndices shape shape target (fun i _ ti -> o[ti] <- o[ti] + x[i])
            r

    override this.Expand(target) =
        let outShape = Shape.broadcast shape target
        if outShape <> target then invalidArg "shape" $"cannot expand {Shape.show shape} to {Shape.show target}"
        let r = make target
        let x, o = this.Data, r.Data
        broadcastIndices target target shape (fun i _ xi -> o[i] <- x[xi])
        r

    override this.Permute(perm) =
        let r0 = shape.Length
        if perm.Length <> r0 || (Array.sort perm) <> Array.init r0 id then
            invalidArg "perm" $"%A{perm} is not a permutation of the {r0} axes of {Shape.show shape}"
        let outShape = perm |> Array.map (fun p -> shape[p])
        let r = make outShape
        let inStrides = Shape.strides shape
        // stride of the input along each output axis
        let srcStrides = perm |> Array.map (fun p -> inStrides[p])
        let x, o = this.Data, r.Data
        let idx = Array.zeroCreate r0
        let mutable src = 0
        for i in 0 .. o.Length - 1 do
            o[i] <- x[src]
            let mutable d = r0 - 1
            let mutable carry = true
            while carry && d >= 0 do
                idx[d] <- idx[d] + 1
                src <- src + srcStrides[d]
                if idx[d] < outShape[d] then carry <- false
                else
                    src <- src - srcStrides[d] * outShape[d]
                    idx[d] <- 0
                    d <- d - 1
        r

    override this.Slice(axis, start, length) =
        let axis = Shape.axis shape.Length axis
        if start < 0 || length < 0 || start + length > shape[axis] then
            invalidArg "start" $"slice [{start}, {start + length}) is outside axis {axis} of shape {Shape.show shape}"
        let outer, n, inner = Shape.around shape axis
        let outShape = Array.copy shape
        outShape[axis] <- length
        let r = make outShape
        for a in 0 .. outer - 1 do
            Array.Copy(this.Data, (a * n + start) * inner, r.Data, a * length * inner, length * inner)
        r

    override this.Unslice(fullShape, axis, start) =
        let outer, n, inner = Shape.around fullShape axis
        let length = shape[axis]
        let r = makeZeros fullShape
        for a in 0 .. outer - 1 do
            Array.Copy(this.Data, a * length * inner, r.Data, (a * n + start) * inner, length * inner)
        r

    override this.IndexSelect(axis, indices) =
        let axis = Shape.axis shape.Length axis
        let outer, n, inner = Shape.around shape axis
        for i in indices do
            if i < 0 || i >= n then invalidArg "indices" $"index {i} is out of range for axis {axis} of shape {Shape.show shape}"
        let outShape = Array.copy shape
        outShape[axis] <- indices.Length
        let r = make outShape
        for a in 0 .. outer - 1 do
            for j in 0 .. indices.Length - 1 do
                Array.Copy(this.Data, (a * n + indices[j]) * inner, r.Data, (a * indices.Length + j) * inner, inner)
        r

    override this.IndexAdd(fullShape, axis, indices) =
        let outer, n, inner = Shape.around fullShape axis
        let r = makeZeros fullShape
        let x, o = this.Data, r.Data
        for a in 0 .. outer - 1 do
            for j in 0 .. indices.Length - 1 do
                let dst = (a * n + indices[j]) * inner
                TensorPrimitives.Add<'T>(ReadOnlySpan(o, dst, inner), ReadOnlySpan(x, (a * indices.Length + j) * inner, inner), Span(o, dst, inner))
        r

    override this.Concat(others, axis) =
        let all = Array.append [| this :> RawTensor |] others |> Array.map (fun t -> t :?> RawTensor<'T>)
        let axis = Shape.axis shape.Length axis
        for t in all do
            if t.Rank <> shape.Length || (t.Shape |> Array.mapi (fun i d -> i = axis || d = shape[i]) |> Array.forall id |> not) then
                invalidArg "tensors" $"cannot concatenate {Shape.show t.Shape} with {Shape.show shape} along axis {axis}"
        let total = all |> Array.sumBy (fun t -> t.Shape[axis])
        let outShape = Array.copy shape
        outShape[axis] <- total
        let outer, _, inner = Shape.around outShape axis
        let r = make outShape
        for a in 0 .. outer - 1 do
            let mutable offset = 0
            for t in all do
                let len = t.Shape[axis] * inner
                Array.Copy(t.Data, a * len, r.Data, (a * total * inner) + offset, len)
                offset <- offset + len
        r

    override this.Matmul(other, transA, transB) =
        let b = other :?> RawTensor<'T>
        if shape.Length < 2 || b.Rank < 2 then
            invalidArg "other" $"matmul needs tensors of rank ≥ 2, got {Shape.show shape} and {Shape.show b.Shape}"
        let ar, br = shape.Length, b.Rank
        let m, ka = (if transA then shape[ar - 1], shape[ar - 2] else shape[ar - 2], shape[ar - 1])
        let kb, n = (if transB then b.Shape[br - 1], b.Shape[br - 2] else b.Shape[br - 2], b.Shape[br - 1])
        if ka <> kb then
            invalidArg "other" $"matmul: inner dimensions differ: {Shape.show shape} (transposed: {transA}) × {Shape.show b.Shape} (transposed: {transB})"
        let lda, ldb = shape[ar - 1], b.Shape[br - 1]
        let batchA = shape[.. ar - 3]
        let batchB = b.Shape[.. br - 3]
        if br = 2 && not transA then
            // shared right operand: one GEMM over all leading rows
            let rows = this.Numel / ka
            let r = make (Array.append batchA [| m; n |])
            Kern.gemm (false, transB, rows, n, ka, 1.0, this.Data, 0, lda, b.Data, 0, ldb, 0.0, r.Data, 0, n)
            r
        else
            if batchA <> batchB then
                invalidArg "other" $"batched matmul needs equal batch dimensions, got {Shape.show shape} and {Shape.show b.Shape}"
            let batches = batchA |> Array.fold (*) 1
            let r = make (Array.append batchA [| m; n |])
            for i in 0 .. batches - 1 do
                Kern.gemm (transA, transB, m, n, ka, 1.0, this.Data, i * m * ka, lda, b.Data, i * ka * n, ldb, 0.0, r.Data, i * m * n, n)
            r

    override this.Linear(weight, bias) =
        // y = x·Wᵀ + b with W stored [out, in], as PyTorch and Caffe's InnerProduct
        let w = weight :?> RawTensor<'T>
        let inF = shape[shape.Length - 1]
        if w.Rank <> 2 || w.Shape[1] <> inF then
            invalidArg "weight" $"linear: input {Shape.show shape} does not match weight {Shape.show w.Shape} ([out; in])"
        let outF = w.Shape[0]
        let rows = this.Numel / inF
        let r = make (Array.append shape[.. shape.Length - 2] [| outF |])
        if isNull (box bias) then
            Kern.gemm (false, true, rows, outF, inF, 1.0, this.Data, 0, inF, w.Data, 0, inF, 0.0, r.Data, 0, outF)
        else
            let bd = (bias :?> RawTensor<'T>).Data
            if bd.Length <> outF then invalidArg "bias" $"linear: bias has {bd.Length} values for {outF} outputs"
            for row in 0 .. rows - 1 do Array.Copy(bd, 0, r.Data, row * outF, outF)
            Kern.gemm (false, true, rows, outF, inF, 1.0, this.Data, 0, inF, w.Data, 0, inF, 1.0, r.Data, 0, outF)
        r

    override this.Conv2d(weight, bias, stride, pad) =
        let w = weight :?> RawTensor<'T>
        if shape.Length <> 4 || w.Rank <> 4 || w.Shape[1] <> shape[1] then
            invalidArg "weight" $"conv2d: input {Shape.show shape} (NCHW) does not match weight {Shape.show w.Shape} (OIHW)"
        if stride < 1 || pad < 0 then invalidArg "stride" $"conv2d: stride {stride} must be ≥ 1 and padding {pad} ≥ 0"
        let n, c, h, wd = shape[0], shape[1], shape[2], shape[3]
        let oc, kh, kw = w.Shape[0], w.Shape[2], w.Shape[3]
        let oh, ow = (h + 2 * pad - kh) / stride + 1, (wd + 2 * pad - kw) / stride + 1
        if oh < 1 || ow < 1 then invalidArg "weight" $"conv2d: kernel {kh}×{kw} does not fit input {h}×{wd} with padding {pad}"
        let r = make [| n; oc; oh; ow |]
        let bd = if isNull (box bias) then null else (bias :?> RawTensor<'T>).Data
        if Kern.isF32<'T> then Conv2d.Forward(Kern.f32 this.Data, n, c, h, wd, Kern.f32 w.Data, oc, kh, kw, stride, pad, Kern.f32 bd, Kern.f32 r.Data)
        else Conv2d.Forward(Kern.f64 this.Data, n, c, h, wd, Kern.f64 w.Data, oc, kh, kw, stride, pad, Kern.f64 bd, Kern.f64 r.Data)
        r

    override this.Conv2dBackward(weight, dy, stride, pad, needInput, needBias) =
        let w = weight :?> RawTensor<'T>
        let g = dy :?> RawTensor<'T>
        let n, c, h, wd = shape[0], shape[1], shape[2], shape[3]
        let oc, kh, kw = w.Shape[0], w.Shape[2], w.Shape[3]
        let dx = if needInput then makeZeros shape else Unchecked.defaultof<_>
        let dw = makeZeros w.Shape
        let db = if needBias then makeZeros [| oc |] else Unchecked.defaultof<_>
        let dxd = if needInput then dx.Data else null
        let dbd = if needBias then db.Data else null
        if Kern.isF32<'T> then
            Conv2d.Backward(Kern.f32 this.Data, n, c, h, wd, Kern.f32 w.Data, oc, kh, kw, stride, pad, Kern.f32 g.Data, Kern.f32 dxd, Kern.f32 dw.Data, Kern.f32 dbd)
        else
            Conv2d.Backward(Kern.f64 this.Data, n, c, h, wd, Kern.f64 w.Data, oc, kh, kw, stride, pad, Kern.f64 g.Data, Kern.f64 dxd, Kern.f64 dw.Data, Kern.f64 dbd)
        (dx :> RawTensor), (dw :> RawTensor), (db :> RawTensor)

    member private this.PoolShape(k, stride) =
        if shape.Length <> 4 then invalidArg "input" $"pool2d needs NCHW input, got {Shape.show shape}"
        if k < 1 || stride < 1 then invalidArg "k" $"pool2d: kernel {k} and stride {stride} must be ≥ 1"
        let n, c, h, w = shape[0], shape[1], shape[2], shape[3]
        if k > h || k > w then invalidArg "k" $"pool2d: kernel {k} is larger than the input {h}×{w}"
        n, c, h, w, (h - k) / stride + 1, (w - k) / stride + 1

    override this.MaxPool2d(k, stride) =
        let n, c, h, w, oh, ow = this.PoolShape(k, stride)
        let r = make [| n; c; oh; ow |]
        // every entry is written by the kernel; the caller returns it to the pool after backward
        let idx = BufferPool<int>.Rent r.Numel
        if Kern.isF32<'T> then Pool2d.MaxForward(Kern.f32 this.Data, n, c, h, w, k, stride, Kern.f32 r.Data, idx)
        else Pool2d.MaxForward(Kern.f64 this.Data, n, c, h, w, k, stride, Kern.f64 r.Data, idx)
        r :> RawTensor, idx

    override this.MaxPool2dBackward(argmax, inputShape) =
        let dx = makeZeros inputShape
        if Kern.isF32<'T> then Pool2d.MaxBackward(Kern.f32 this.Data, argmax, this.Numel, Kern.f32 dx.Data)
        else Pool2d.MaxBackward(Kern.f64 this.Data, argmax, this.Numel, Kern.f64 dx.Data)
        dx

    override this.AvgPool2d(k, stride) =
        let n, c, h, w, oh, ow = this.PoolShape(k, stride)
        let r = make [| n; c; oh; ow |]
        if Kern.isF32<'T> then Pool2d.AvgForward(Kern.f32 this.Data, n, c, h, w, k, stride, Kern.f32 r.Data)
        else Pool2d.AvgForward(Kern.f64 this.Data, n, c, h, w, k, stride, Kern.f64 r.Data)
        r

    override this.AvgPool2dBackward(inputShape, k, stride) =
        let n, c, h, w = inputShape[0], inputShape[1], inputShape[2], inputShape[3]
        let dx = makeZeros inputShape
        if Kern.isF32<'T> then Pool2d.AvgBackward(Kern.f32 this.Data, n, c, h, w, k, stride, Kern.f32 dx.Data)
        else Pool2d.AvgBackward(Kern.f64 this.Data, n, c, h, w, k, stride, Kern.f64 dx.Data)
        dx

    override this.LogSoftmax(axis) =
        let axis = Shape.axis shape.Length axis
        let outer, n, inner = Shape.around shape axis
        let r = make shape
        let x, o = this.Data, r.Data
        if inner = 1 then
            for a in 0 .. outer - 1 do
                let row = ReadOnlySpan(x, a * n, n)
                let m = TensorPrimitives.Max<'T>(row)
                let mutable s = 'T.Zero
                for j in 0 .. n - 1 do s <- s + 'T.Exp(x[a * n + j] - m)
                let lse = m + 'T.Log s
                TensorPrimitives.Subtract<'T>(row, lse, Span(o, a * n, n))
        else
            for a in 0 .. outer - 1 do
                for i in 0 .. inner - 1 do
                    let at j = (a * n + j) * inner + i
                    let mutable m = x[at 0]
                    for j in 1 .. n - 1 do m <- 'T.Max(m, x[at j])
                    let mutable s = 'T.Zero
                    for j in 0 .. n - 1 do s <- s + 'T.Exp(x[at j] - m)
                    let lse = m + 'T.Log s
                    for j in 0 .. n - 1 do o[at j] <- x[at j] - lse
        r

    override this.Softmax(axis) =
        let ls = this.LogSoftmax(axis)
        let e = ls.Unary UnaryOp.Exp
        ls.Release()
        e
