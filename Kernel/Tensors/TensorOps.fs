namespace InitLab.Kernel

open System.Runtime.CompilerServices
open InitLab.Kernel.Ops

/// The differentiable ops as methods on Tensor (usable from F# and C#): `x.Conv2d(w, b).Relu()`.
[<Extension; AbstractClass; Sealed>]
type TensorOps =
    static member private Un(op, t: Tensor) = Tensor.Apply(UnaryFn op, [| t |])

    [<Extension>] static member Exp(t: Tensor) = TensorOps.Un(UnaryOp.Exp, t)
    [<Extension>] static member Log(t: Tensor) = TensorOps.Un(UnaryOp.Log, t)
    [<Extension>] static member Sqrt(t: Tensor) = TensorOps.Un(UnaryOp.Sqrt, t)
    [<Extension>] static member Abs(t: Tensor) = TensorOps.Un(UnaryOp.Abs, t)
    [<Extension>] static member Square(t: Tensor) = TensorOps.Un(UnaryOp.Square, t)
    [<Extension>] static member Relu(t: Tensor) = TensorOps.Un(UnaryOp.Relu, t)
    [<Extension>] static member Sigmoid(t: Tensor) = TensorOps.Un(UnaryOp.Sigmoid, t)
    [<Extension>] static member Tanh(t: Tensor) = TensorOps.Un(UnaryOp.Tanh, t)

    /// Sum of all elements (a scalar tensor of shape [||]).
    [<Extension>] static member Sum(t: Tensor) = Tensor.Apply(SumAllFn(), [| t |])
    [<Extension>] static member Sum(t: Tensor, axis: int, keepDim: bool) = Tensor.Apply(SumAxisFn(axis, keepDim), [| t |])
    [<Extension>] static member Sum(t: Tensor, axis: int) = TensorOps.Sum(t, axis, false)
    [<Extension>] static member Mean(t: Tensor) = TensorOps.Sum(t) / float t.Numel
    [<Extension>]
    static member Mean(t: Tensor, axis: int, keepDim: bool) =
        TensorOps.Sum(t, axis, keepDim) / float t.Shape[Shape.axis t.Rank axis]
    [<Extension>] static member Mean(t: Tensor, axis: int) = TensorOps.Mean(t, axis, false)
    /// Maximum along an axis (the gradient goes to the first arg-max).
    [<Extension>] static member Max(t: Tensor, axis: int, keepDim: bool) = Tensor.Apply(MaxAxisFn(axis, keepDim), [| t |])
    [<Extension>] static member Max(t: Tensor, axis: int) = TensorOps.Max(t, axis, false)
    /// Index of the maximum along an axis (not differentiable), as ints in row-major order.
    [<Extension>]
    static member ArgMax(t: Tensor, axis: int) : int[] = snd (t.Raw.MaxAxis(axis, false))

    // ---- shape -------------------------------------------------------------------------------
    [<Extension>] static member Reshape(t: Tensor, shape: int[]) = Tensor.Apply(ReshapeFn shape, [| t |])
    [<Extension>] static member View(t: Tensor, shape: int[]) = TensorOps.Reshape(t, shape)
    /// Keeps axis 0 (the batch) and flattens the rest: [N; C; H; W] → [N; C·H·W].
    [<Extension>] static member Flatten(t: Tensor) = TensorOps.Reshape(t, [| t.Shape[0]; -1 |])
    [<Extension>] static member Permute(t: Tensor, perm: int[]) = Tensor.Apply(PermuteFn perm, [| t |])
    [<Extension>]
    static member Transpose(t: Tensor, axis0: int, axis1: int) =
        let a0, a1 = Shape.axis t.Rank axis0, Shape.axis t.Rank axis1
        let perm = Array.init t.Rank id
        perm[a0] <- a1
        perm[a1] <- a0
        TensorOps.Permute(t, perm)
    /// Swaps the last two axes.
    [<Extension>] static member T(t: Tensor) = TensorOps.Transpose(t, -2, -1)
    [<Extension>] static member Expand(t: Tensor, shape: int[]) = Tensor.Apply(ExpandFn shape, [| t |])
    /// Elements [start, start+length) along an axis.
    [<Extension>] static member Narrow(t: Tensor, axis: int, start: int, length: int) = Tensor.Apply(SliceFn(axis, start, length), [| t |])
    /// The index-th entry along an axis, with that axis removed.
    [<Extension>]
    static member Select(t: Tensor, axis: int, index: int) =
        let ax = Shape.axis t.Rank axis
        TensorOps.Reshape(TensorOps.Narrow(t, ax, index, 1), Array.removeAt ax t.Shape)
    [<Extension>] static member IndexSelect(t: Tensor, axis: int, indices: int[]) = Tensor.Apply(IndexSelectFn(axis, indices), [| t |])
    /// Row-wise pick out[i] = t[i, labels[i]] of a [N; C] tensor.
    [<Extension>] static member Gather(t: Tensor, labels: int[]) = Tensor.Apply(GatherFn labels, [| t |])
    static member Concat(tensors: Tensor[], axis: int) =
        if tensors.Length = 0 then invalidArg "tensors" "concat needs at least one tensor"
        Tensor.Apply(ConcatFn axis, tensors)
    /// Stacks equal-shaped tensors along a new axis.
    static member Stack(tensors: Tensor[], axis: int) =
        if tensors.Length = 0 then invalidArg "tensors" "stack needs at least one tensor"
        let ax = if axis < 0 then axis + tensors[0].Rank + 1 else axis
        let expanded = tensors |> Array.map (fun t -> TensorOps.Reshape(t, Array.insertAt ax 1 t.Shape))
        TensorOps.Concat(expanded, ax)

    // ---- linear algebra and layers ----------------------------------------------------------------
    [<Extension>] static member Matmul(a: Tensor, b: Tensor) = Tensor.Apply(MatmulFn(), [| a; b |])
    /// x·Wᵀ + b with W [out; in]; bias may be null.
    [<Extension>]
    static member Linear(x: Tensor, weight: Tensor, bias: Tensor) =
        if isNull bias then Tensor.Apply(LinearFn false, [| x; weight |])
        else Tensor.Apply(LinearFn true, [| x; weight; bias |])
    [<Extension>]
    static member Conv2d(x: Tensor, weight: Tensor, bias: Tensor, stride: int, padding: int) =
        if isNull bias then Tensor.Apply(Conv2dFn(stride, padding, false), [| x; weight |])
        else Tensor.Apply(Conv2dFn(stride, padding, true), [| x; weight; bias |])
    [<Extension>] static member Conv2d(x: Tensor, weight: Tensor, bias: Tensor) = TensorOps.Conv2d(x, weight, bias, 1, 0)
    [<Extension>] static member MaxPool2d(x: Tensor, kernel: int, stride: int) = Tensor.Apply(MaxPool2dFn(kernel, stride), [| x |])
    [<Extension>] static member MaxPool2d(x: Tensor, kernel: int) = TensorOps.MaxPool2d(x, kernel, kernel)
    [<Extension>] static member AvgPool2d(x: Tensor, kernel: int, stride: int) = Tensor.Apply(AvgPool2dFn(kernel, stride), [| x |])
    [<Extension>] static member AvgPool2d(x: Tensor, kernel: int) = TensorOps.AvgPool2d(x, kernel, kernel)
    [<Extension>] static member Softmax(x: Tensor, axis: int) = Tensor.Apply(SoftmaxFn axis, [| x |])
    [<Extension>] static member LogSoftmax(x: Tensor, axis: int) = Tensor.Apply(LogSoftmaxFn axis, [| x |])

    /// Inverted dropout with drop probability p: in training, zeroes each element with probability p
    /// and scales the rest by 1/(1−p); identity when not training.
    [<Extension>]
    static member Dropout(x: Tensor, p: float, training: bool, gen: Generator) =
        if not (p >= 0.0 && p < 1.0) then invalidArg "p" $"dropout probability {p} must be in [0, 1)"
        if not training || p = 0.0 then x
        else
            let keep = 1.0 / (1.0 - p)
            // the mask goes straight into a pooled buffer of x's type (DropoutFn returns it after backward):
            // a float64 array and its copy per call cost more than the masking itself
            let mask = x.Raw.New x.Shape
            match mask with
            | :? RawTensor<float32> as m -> gen.FillMask(System.Span(m.Data, 0, m.Numel), p, float32 keep)
            | :? RawTensor<float> as m -> gen.FillMask(System.Span(m.Data, 0, m.Numel), p, keep)
            | _ -> for i in 0 .. x.Numel - 1 do mask.SetItem(i, (if gen.NextDouble() < p then 0.0 else keep))
            Tensor.Apply(DropoutFn mask, [| x |])

    // ---- losses --------------------------------------------------------------------------------
    /// Cross-entropy of logits [N; C] against integer labels (fused log-softmax + NLL).
    [<Extension>]
    static member CrossEntropy(logits: Tensor, labels: int[], reduction: Reduction) =
        Tensor.Apply(CrossEntropyFn(labels, reduction), [| logits |])
    [<Extension>] static member CrossEntropy(logits: Tensor, labels: int[]) = TensorOps.CrossEntropy(logits, labels, Mean)
    /// Summed (not averaged) cross-entropy against integer labels: a whole-set mean is the sum of these over N.
    [<Extension>] static member CrossEntropySum(logits: Tensor, labels: int[]) = TensorOps.CrossEntropy(logits, labels, Sum)
    /// Cross-entropy of logits [N; C] against probability (or one-hot) targets [N; C].
    [<Extension>]
    static member CrossEntropy(logits: Tensor, target: Tensor, reduction: Reduction) =
        Tensor.Apply(CrossEntropyFn([||], reduction), [| logits; target |])
    [<Extension>] static member CrossEntropy(logits: Tensor, target: Tensor) = TensorOps.CrossEntropy(logits, target, Mean)
    /// Negative log-likelihood of log-probabilities [N; C] at integer labels.
    [<Extension>]
    static member Nll(logProbs: Tensor, labels: int[], reduction: Reduction) =
        let picked = TensorOps.Gather(logProbs, labels)
        match reduction with
        | Mean -> -(TensorOps.Mean picked)
        | Sum -> -(TensorOps.Sum picked)
    [<Extension>] static member Mse(a: Tensor, b: Tensor, reduction: Reduction) = Tensor.Apply(MseFn reduction, [| a; b |])
    [<Extension>] static member Mse(a: Tensor, b: Tensor) = TensorOps.Mse(a, b, Mean)
    /// ½·Σ(a − b)², the textbook's sum of squared errors.
    [<Extension>] static member SumSquares(a: Tensor, b: Tensor) = TensorOps.Mse(a, b, Sum) * 0.5
