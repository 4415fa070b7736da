namespace InitLab.Kernel.Ops

open InitLab.Kernel

/// How a per-sample loss becomes one number.
type Reduction =
    | Mean
    | Sum

/// Cross-entropy fused from logits [N; C] (log-softmax + NLL in one op, as Caffe's SoftmaxWithLoss):
/// integer labels, or probability / one-hot targets [N; C] (then the target is input 1).
/// Backward: (softmax − target)·g / N, never forming the softmax Jacobian.
type CrossEntropyFn(labels: int[], reduction: Reduction) =
    inherit Function()
    let mutable logp: RawTensor = null
    let mutable target: RawTensor = null
    let mutable n = 0
    let mutable c = 0
    override _.Name = "CrossEntropy"
    member private _.Scale = match reduction with Mean -> 1.0 / float n | Sum -> 1.0
    override this.Forward(inputs) =
        let z = inputs[0]
        if z.Rank <> 2 then invalidArg "logits" $"cross-entropy expects logits [N; C], got {Shape.show z.Shape}"
        n <- z.Shape[0]
        c <- z.Shape[1]
        logp <- z.LogSoftmax 1
        let mutable total = 0.0
        if inputs.Length > 1 then
            target <- inputs[1]
            if target.Shape <> z.Shape then
                invalidArg "target" $"cross-entropy: target {Shape.show target.Shape} must match logits {Shape.show z.Shape}"
            let prod = target.Binary(BinaryOp.Mul, logp)
            total <- -(prod.SumAll())
            prod.Release()
        else
            if labels.Length <> n then
                invalidArg "labels" $"cross-entropy: {labels.Length} labels for {n} rows of logits {Shape.show z.Shape}"
            for i in 0 .. n - 1 do
                let y = labels[i]
                if y < 0 || y >= c then invalidArg "labels" $"cross-entropy: label {y} at row {i} is outside 0..{c - 1}"
                total <- total - logp.Item(i * c + y)
        z.NewOfFloat64([| total * this.Scale |], [||])
    override this.Backward(g, needs) =
        let s = g.Item 0 * this.Scale
        let gz =
            if not needs[0] then null
            else
                let p = logp.Unary UnaryOp.Exp
                if isNull target then
                    for i in 0 .. n - 1 do
                        let at = i * c + labels[i]
                        p.SetItem(at, p.Item at - 1.0)
                    let r = p.MulScalar s
                    p.Release()
                    r
                else
                    // d/dz of −Σ t·log softmax(z) = softmax·Σt − t per row
                    let rowSum = target.SumAxis(1, true)
                    let pt = p.Binary(BinaryOp.Mul, rowSum)
                    p.Release()
                    rowSum.Release()
                    let d = pt.Binary(BinaryOp.Sub, target)
                    pt.Release()
                    let r = d.MulScalar s
                    d.Release()
                    r
        if isNull target then [| gz |]
        else [| gz; (if needs.Length > 1 && needs[1] then logp.MulScalar(-s) else null) |]
    override _.ReleaseSaved() = if not (isNull logp) then logp.Release()

/// Mean (or sum) of squared differences between two tensors of the same shape.
type MseFn(reduction: Reduction) =
    inherit Function()
    let mutable diff: RawTensor = null
    let mutable scale = 1.0
    override _.Name = "Mse"
    override _.Forward(inputs) =
        let a, b = inputs[0], inputs[1]
        if a.Shape <> b.Shape then invalidArg "target" $"mse: shapes {Shape.show a.Shape} and {Shape.show b.Shape} differ"
        diff <- a.Binary(BinaryOp.Sub, b)
        scale <- (match reduction with Mean -> 1.0 / float (max 1 a.Numel) | Sum -> 1.0)
        let sq = diff.Unary UnaryOp.Square
        let total = sq.SumAll()
        sq.Release()
        a.NewOfFloat64([| total * scale |], [||])
    override _.Backward(g, needs) =
        let ga = diff.MulScalar(2.0 * scale * g.Item 0)
        let gb = if needs[1] then ga.Unary UnaryOp.Neg else null
        [| (if needs[0] then ga else (ga.Release(); null)); gb |]
    override _.ReleaseSaved() = if not (isNull diff) then diff.Release()
