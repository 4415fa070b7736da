namespace InitLab.Kernel.Ops

open InitLab.Kernel

/// exp, log, relu, sigmoid, tanh, …: f(x) elementwise; backward g·f'(x) from the saved x and y.
type UnaryFn(op: UnaryOp) =
    inherit Function()
    let mutable x: RawTensor = null
    let mutable y: RawTensor = null
    override _.Name = string op
    override _.Forward(inputs) =
        x <- inputs[0]
        y <- x.Unary op
        y
    override _.Backward(g, _) = [| g.UnaryBackward(op, x, y) |]

/// a ∘ b with NumPy broadcasting; backward sums the gradient back to each input's shape.
type BinaryFn(op: BinaryOp) =
    inherit Function()
    let mutable a: RawTensor = null
    let mutable b: RawTensor = null
    override _.Name = string op
    override _.Forward(inputs) =
        a <- inputs[0]
        b <- inputs[1]
        match op with
        | BinaryOp.Add | BinaryOp.Sub | BinaryOp.Mul | BinaryOp.Div -> a.Binary(op, b)
        | _ -> invalidOp $"{op} has no gradient; use the raw layer for it"
    override _.Backward(g, needs) =
        let ga, gb =
            match op with
            | BinaryOp.Add -> (if needs[0] then g.View g.Shape else null), (if needs[1] then g.View g.Shape else null)
            | BinaryOp.Sub -> (if needs[0] then g.View g.Shape else null), (if needs[1] then g.Unary UnaryOp.Neg else null)
            | BinaryOp.Mul -> (if needs[0] then g.Binary(BinaryOp.Mul, b) else null), (if needs[1] then g.Binary(BinaryOp.Mul, a) else null)
            | BinaryOp.Div ->
                let ga = if needs[0] then g.Binary(BinaryOp.Div, b) else null
                let gb =
                    if needs[1] then
                        // d(a/b)/db = -a/b²
                        let q = a.Binary(BinaryOp.Div, b)
                        let t = q.Binary(BinaryOp.Div, b)
                        q.Release()
                        let r = g.Binary(BinaryOp.Mul, t)
                        t.Release()
                        let n = r.Unary UnaryOp.Neg
                        r.Release()
                        n
                    else null
                ga, gb
            | _ -> null, null
        [| (if isNull ga then null else Grad.sumToOwned ga a.Shape)
           (if isNull gb then null else Grad.sumToOwned gb b.Shape) |]

/// x·s + c for scalars s and c (affine map); backward g·s.
type AffineScalarFn(scale: float, shift: float) =
    inherit Function()
    override _.Name = "AffineScalar"
    override _.Forward(inputs) =
        let x = inputs[0]
        if scale = 1.0 then x.AddScalar shift
        elif shift = 0.0 then x.MulScalar scale
        else
            let t = x.MulScalar scale
            let r = t.AddScalar shift
            t.Release()
            r
    override _.Backward(g, _) = [| (if scale = 1.0 then g.View g.Shape else g.MulScalar scale) |]

/// x^p for a scalar exponent p; backward g·p·x^(p−1).
type PowScalarFn(p: float) =
    inherit Function()
    let mutable x: RawTensor = null
    override _.Name = "PowScalar"
    override _.Forward(inputs) =
        x <- inputs[0]
        x.PowScalar p
    override _.Backward(g, _) =
        let d = x.PowScalar(p - 1.0)
        let s = d.MulScalar p
        d.Release()
        let r = g.Binary(BinaryOp.Mul, s)
        s.Release()
        [| r |]
