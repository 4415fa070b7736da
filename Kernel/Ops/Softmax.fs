namespace InitLab.Kernel.Ops

open InitLab.Kernel

/// log softmax along an axis (max-shifted for stability); backward g − softmax·Σg.
type LogSoftmaxFn(axis: int) =
    inherit Function()
    let mutable y: RawTensor = null
    let mutable ax = 0
    override _.Name = "LogSoftmax"
    override _.Forward(inputs) =
        ax <- Shape.axis inputs[0].Rank axis
        y <- inputs[0].LogSoftmax ax
        y
    override _.Backward(g, _) =
        let s = g.SumAxis(ax, true)
        let p = y.Unary UnaryOp.Exp
        let t = p.Binary(BinaryOp.Mul, s)
        p.Release()
        s.Release()
        let r = g.Binary(BinaryOp.Sub, t)
        t.Release()
        [| r |]

/// softmax along an axis; backward y·(g − Σ g·y).
type SoftmaxFn(axis: int) =
    inherit Function()
    let mutable y: RawTensor = null
    let mutable ax = 0
    override _.Name = "Softmax"
    override _.Forward(inputs) =
        ax <- Shape.axis inputs[0].Rank axis
        y <- inputs[0].Softmax ax
        y
    override _.Backward(g, _) =
        let gy = g.Binary(BinaryOp.Mul, y)
        let s = gy.SumAxis(ax, true)
        gy.Release()
        let d = g.Binary(BinaryOp.Sub, s)
        s.Release()
        let r = d.Binary(BinaryOp.Mul, y)
        d.Release()
        [| r |]
