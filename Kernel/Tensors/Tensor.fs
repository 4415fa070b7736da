namespace InitLab.Kernel

open System
open System.Collections.Generic
open InitLab.Kernel.Ops

/// Whether ops record a graph on this thread (off inside `Tensor.NoGrad()`).
type GradMode private () =
    [<ThreadStatic; DefaultValue>]
    static val mutable private disabled: int
    static member Enabled = GradMode.disabled = 0
    static member internal Push() = GradMode.disabled <- GradMode.disabled + 1
    static member internal Pop() = GradMode.disabled <- GradMode.disabled - 1

/// A tensor with reverse-mode autodiff. Ops on tensors that require gradients record a graph;
/// `Backward()` walks it once, accumulates gradients into the leaves (parameters), then frees it:
/// intermediate buffers go back to the pool, so memory stays flat over any number of steps.
/// An intermediate you still need after backward must be `Retain()`ed first.
[<Sealed; AllowNullLiteral>]
type Tensor internal (raw: RawTensor, requiresGrad: bool, fn: Function, parents: Tensor[]) =
    let mutable raw = raw
    let mutable fn = fn
    let mutable parents = parents
    let mutable grad: RawTensor = null
    let mutable requiresGrad = requiresGrad
    let mutable retained = false

    /// Wraps a raw tensor as a leaf (no history).
    new(raw: RawTensor) = Tensor(raw, false, null, null)

    member _.Raw = raw
    member _.Shape = raw.Shape
    member _.Rank = raw.Rank
    member _.Numel = raw.Numel
    member _.DType = raw.DType
    /// True for tensors made by the user (parameters, inputs), false for op outputs in a graph.
    member _.IsLeaf = isNull fn
    member _.RequiresGrad = requiresGrad
    member internal _.Fn = fn
    member internal _.Parents = parents

    /// The accumulated gradient (a tensor without history), or null before any backward.
    member _.Grad = if isNull grad then null else Tensor(grad)
    member internal _.GradRaw = grad

    /// Marks a leaf as a parameter whose gradient backward() should accumulate.
    member this.RequireGrad() =
        if not (isNull fn) then invalidOp "RequireGrad applies to leaf tensors; use Detach() first"
        requiresGrad <- true
        this

    /// Keeps this intermediate's value and gradient when backward() frees the graph.
    member this.Retain() =
        retained <- true
        this

    member _.ZeroGrad() = if not (isNull grad) then grad.FillInPlace 0.0

    member _.SetGrad(g: Tensor) =
        if isNull g then grad <- null
        else
            if g.Shape <> raw.Shape then invalidArg "g" $"gradient shape {Shape.show g.Shape} differs from tensor shape {Shape.show raw.Shape}"
            grad <- g.Raw.Clone()

    member internal _.AccumulateGrad(g: RawTensor) =
        if g.Numel <> raw.Numel then
            invalidOp $"internal: gradient of shape {Shape.show g.Shape} for a tensor of shape {Shape.show raw.Shape}"
        if isNull grad then
            // take ownership only of an unshared buffer: later accumulation writes into it
            if g.Shape = raw.Shape && g.IsExclusive then grad <- g
            else
                let c = g.Clone()
                g.Release()
                grad <-
                    if c.Shape = raw.Shape then c
                    else
                        let v = c.View raw.Shape
                        c.Release()
                        v
        else
            grad.AccumulateInPlace g
            g.Release()

    /// Replaces this leaf's values in place (optimisers, checkpoint loading).
    member _.SetRaw(r: RawTensor) =
        if r.Shape <> raw.Shape then invalidArg "r" $"shape {Shape.show r.Shape} differs from {Shape.show raw.Shape}"
        raw <- r

    /// Applies a Function to tensors, recording it when grad mode is on and any input needs a gradient.
    static member Apply(f: Function, inputs: Tensor[]) : Tensor =
        let out = f.Forward(inputs |> Array.map (fun t -> t.Raw))
        if GradMode.Enabled && inputs |> Array.exists (fun t -> t.RequiresGrad) then Tensor(out, true, f, inputs)
        else Tensor(out, false, null, null)

    /// A tensor sharing this one's values but cut from the graph.
    member _.Detach() = Tensor(raw.View raw.Shape)

    member internal _.FreeNode(keepValue: bool) =
        if not (isNull fn) then
            fn.ReleaseSaved()
            fn <- null
            parents <- null
            if not retained && not keepValue then
                raw.Release()
                if not (isNull grad) then
                    grad.Release()
                    grad <- null

    /// Backpropagates from this tensor with upstream `gradient` (null: this must hold one element, a loss).
    member this.Backward(gradient: Tensor) =
        if not requiresGrad then invalidOp "backward(): this tensor does not require grad (no parameter took part in computing it)"
        let seed =
            if not (isNull gradient) then
                let g = gradient
                if g.Shape <> raw.Shape then invalidArg "gradient" $"backward gradient shape {Shape.show g.Shape} differs from {Shape.show raw.Shape}"
                g.Raw.Clone()
            else
                if raw.Numel <> 1 then invalidOp $"backward() without a gradient needs a single-element tensor, got shape {Shape.show raw.Shape}"
                RawTensors.full raw.DType raw.Shape 1.0
        // topological order by iterative DFS (deep graphs such as long LSTMs must not overflow the stack)
        let order = List<Tensor>()
        let visited = HashSet<Tensor>(HashIdentity.Reference)
        let stack = Stack<struct (Tensor * bool)>()
        stack.Push(struct (this, false))
        while stack.Count > 0 do
            let struct (t, expanded) = stack.Pop()
            if expanded then order.Add t
            elif visited.Add t then
                stack.Push(struct (t, true))
                if not (isNull t.Parents) then
                    for p in t.Parents do
                        if p.RequiresGrad && not (isNull p.Fn) && not (visited.Contains p) then
                            stack.Push(struct (p, false))
        this.AccumulateGrad seed
        for i in order.Count - 1 .. -1 .. 0 do
            let t = order[i]
            let g = t.GradRaw
            if not (isNull g) then
                let ps = t.Parents
                let needs = ps |> Array.map (fun p -> p.RequiresGrad)
                let grads = t.Fn.Backward(g, needs)
                for j in 0 .. ps.Length - 1 do
                    let gj = grads[j]
                    if not (isNull gj) then
                        if needs[j] then ps[j].AccumulateGrad gj else gj.Release()
            // every consumer of t has run (reverse topological order), so its buffers can go
            t.FreeNode(Object.ReferenceEquals(t, this))

    /// Backpropagates from a single-element tensor (a loss).
    member this.Backward() = this.Backward(null)

    /// Recycles every tensor buffer made on this thread until disposal (for evaluation loops under
    /// NoGrad): read what you need (Item, ToArray, ArgMax) before the scope ends.
    static member Scope() = BufferScope.Begin()

    /// Runs `f` with graph recording off (evaluation, optimiser updates).
    static member NoGrad() =
        GradMode.Push()
        { new IDisposable with member _.Dispose() = GradMode.Pop() }

    // ---- creation -------------------------------------------------------------------------
    static member Zeros(shape: int[], ?dtype: DType) = Tensor(RawTensors.zeros (defaultArg dtype Float32) shape)
    static member Ones(shape: int[], ?dtype: DType) = Tensor(RawTensors.full (defaultArg dtype Float32) shape 1.0)
    static member Full(shape: int[], value: float, ?dtype: DType) = Tensor(RawTensors.full (defaultArg dtype Float32) shape value)
    static member Scalar(value: float, ?dtype: DType) = Tensor(RawTensors.full (defaultArg dtype Float32) [||] value)
    /// 0, step, 2·step, … below `stop`.
    static member Arange(stop: float, ?start: float, ?step: float, ?dtype: DType) =
        let start, step = defaultArg start 0.0, defaultArg step 1.0
        if step = 0.0 then invalidArg "step" "arange: step must not be 0"
        let n = max 0 (int (ceil ((stop - start) / step)))
        Tensor(RawTensors.ofFloat64 (defaultArg dtype Float32) (Array.init n (fun i -> start + float i * step)) [| n |])
    static member OfArray(values: float32[], shape: int[]) = Tensor(RawTensor<float32>.Of(Array.copy values, shape))
    static member OfArray(values: float[], shape: int[]) = Tensor(RawTensor<float>.Of(Array.copy values, shape))
    static member OfArray(values: float32[]) = Tensor.OfArray(values, [| values.Length |])
    static member OfArray(values: float[]) = Tensor.OfArray(values, [| values.Length |])
    /// Wraps an array without copying (the tensor then owns it).
    static member Wrap(values: float32[], shape: int[]) = Tensor(RawTensor<float32>.Of(values, shape))
    static member Wrap(values: float[], shape: int[]) = Tensor(RawTensor<float>.Of(values, shape))
    /// Standard normal draws, mean + std·N(0, 1), from an explicit generator.
    static member RandN(shape: int[], gen: Generator, ?mean: float, ?std: float, ?dtype: DType) =
        let mean, std = defaultArg mean 0.0, defaultArg std 1.0
        let v = Array.init (Shape.numel shape) (fun _ -> mean + std * gen.NextNormal())
        Tensor(RawTensors.ofFloat64 (defaultArg dtype Float32) v shape)
    /// Uniform draws in [low, high).
    static member Rand(shape: int[], gen: Generator, ?low: float, ?high: float, ?dtype: DType) =
        let low, high = defaultArg low 0.0, defaultArg high 1.0
        let v = Array.init (Shape.numel shape) (fun _ -> low + (high - low) * gen.NextDouble())
        Tensor(RawTensors.ofFloat64 (defaultArg dtype Float32) v shape)
    /// 1 with probability p, else 0.
    static member Bernoulli(shape: int[], p: float, gen: Generator, ?dtype: DType) =
        if not (p >= 0.0 && p <= 1.0) then invalidArg "p" $"bernoulli: probability {p} is outside [0, 1]"
        let v = Array.init (Shape.numel shape) (fun _ -> if gen.NextDouble() < p then 1.0 else 0.0)
        Tensor(RawTensors.ofFloat64 (defaultArg dtype Float32) v shape)

    // ---- reading values ---------------------------------------------------------------------
    /// The single value of a one-element tensor.
    member _.Item =
        if raw.Numel <> 1 then invalidOp $"Item needs a single-element tensor, got shape {Shape.show raw.Shape}"
        raw.Item 0
    /// Value at a flat (row-major) index.
    member _.At(flatIndex: int) = raw.Item flatIndex
    member _.ToArray() = raw.ToFloat64Array()
    member _.ToFloat32Array() = raw.ToFloat32Array()
    member _.Clone() = Tensor(raw.Clone())
    member _.Cast(dtype: DType) = Tensor(raw.Cast dtype)
    /// True when no element is NaN or infinite.
    member _.AllFinite() = raw.AllFinite()

    // ---- copying values in and out (hosts persist and restore tensors without touching storage) ----
    member private _.Values<'T>(what: string, length: int) : 'T[] =
        match raw with
        | :? RawTensor<'T> as r ->
            if length <> raw.Numel then
                invalidArg "values" $"{what}: tensor of shape {Shape.show raw.Shape} holds {raw.Numel} values, the span has {length}"
            r.Data
        | _ -> invalidArg "values" $"{what}: the tensor of shape {Shape.show raw.Shape} is {raw.DType}, the span holds {typeof<'T>.Name}"

    /// Copies the values (row-major) into `destination`, which must have the tensor's element type and Numel.
    member this.CopyTo(destination: Span<float32>) =
        ReadOnlySpan(this.Values<float32>("CopyTo", destination.Length), 0, raw.Numel).CopyTo destination
    /// Copies the values (row-major) into `destination`, which must have the tensor's element type and Numel.
    member this.CopyTo(destination: Span<float>) =
        ReadOnlySpan(this.Values<float>("CopyTo", destination.Length), 0, raw.Numel).CopyTo destination
    /// Overwrites the values in place (row-major) from `source` of the tensor's element type and Numel;
    /// tensors that share this storage (an optimiser's, a view) see the new values.
    member this.CopyFrom(source: ReadOnlySpan<float32>) =
        source.CopyTo(Span(this.Values<float32>("CopyFrom", source.Length), 0, raw.Numel))
    /// Overwrites the values in place (row-major) from `source` of the tensor's element type and Numel.
    member this.CopyFrom(source: ReadOnlySpan<float>) =
        source.CopyTo(Span(this.Values<float>("CopyFrom", source.Length), 0, raw.Numel))
    /// A copy of the values in the tensor's own element type: a float32[] or a float[] of length Numel.
    member _.ToValueArray() : Array =
        match raw with
        | :? RawTensor<float32> as r -> r.Data.AsSpan(0, raw.Numel).ToArray() :> Array
        | :? RawTensor<float> as r -> r.Data.AsSpan(0, raw.Numel).ToArray() :> Array
        | _ -> invalidOp $"ToValueArray: unsupported storage {raw.GetType().Name}"
    /// Overwrites the values in place from a float32[] or float[] of the tensor's element type and Numel.
    member this.CopyFrom(source: Array) =
        match source with
        | null -> nullArg "source"
        | :? (float32[]) as a -> this.CopyFrom(ReadOnlySpan a)
        | :? (float[]) as a -> this.CopyFrom(ReadOnlySpan a)
        | _ -> invalidArg "source" $"CopyFrom: a {source.GetType().Name} cannot fill a {raw.DType} tensor of shape {Shape.show raw.Shape}"

    // Arithmetic with NumPy broadcasting; scalars on either side.
    static member (+)(a: Tensor, b: Tensor) = Tensor.Apply(BinaryFn BinaryOp.Add, [| a; b |])
    static member (-)(a: Tensor, b: Tensor) = Tensor.Apply(BinaryFn BinaryOp.Sub, [| a; b |])
    static member (*)(a: Tensor, b: Tensor) = Tensor.Apply(BinaryFn BinaryOp.Mul, [| a; b |])
    static member (/)(a: Tensor, b: Tensor) = Tensor.Apply(BinaryFn BinaryOp.Div, [| a; b |])
    static member (+)(a: Tensor, s: float) = Tensor.Apply(AffineScalarFn(1.0, s), [| a |])
    static member (+)(s: float, a: Tensor) = Tensor.Apply(AffineScalarFn(1.0, s), [| a |])
    static member (-)(a: Tensor, s: float) = Tensor.Apply(AffineScalarFn(1.0, -s), [| a |])
    static member (-)(s: float, a: Tensor) = Tensor.Apply(AffineScalarFn(-1.0, s), [| a |])
    static member (*)(a: Tensor, s: float) = Tensor.Apply(AffineScalarFn(s, 0.0), [| a |])
    static member (*)(s: float, a: Tensor) = Tensor.Apply(AffineScalarFn(s, 0.0), [| a |])
    static member (/)(a: Tensor, s: float) = Tensor.Apply(AffineScalarFn(1.0 / s, 0.0), [| a |])
    static member (/)(s: float, a: Tensor) = Tensor.Apply(AffineScalarFn(s, 0.0), [| Tensor.Apply(PowScalarFn -1.0, [| a |]) |])
    static member (~-)(a: Tensor) = Tensor.Apply(UnaryFn UnaryOp.Neg, [| a |])
    static member Pow(a: Tensor, p: float) = Tensor.Apply(PowScalarFn p, [| a |])

    override _.ToString() =
        let preview =
            if raw.IsReleased then "<released>"
            else
                let n = min raw.Numel 8
                let vals = [| for i in 0 .. n - 1 -> raw.Item(i).ToString("G6") |]
                String.Join(", ", vals) + (if raw.Numel > n then ", …" else "")
        let rg = if requiresGrad then ", requires grad" else ""
        $"Tensor({Shape.show raw.Shape}, {raw.DType}{rg}: {preview})"
