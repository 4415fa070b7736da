namespace InitLab.Kernel.Ops

open InitLab.Kernel

/// Sum of all elements to a scalar of shape [||]; backward spreads g to every element.
type SumAllFn() =
    inherit Function()
    let mutable shape: int[] = [||]
    override _.Name = "Sum"
    override _.Forward(inputs) =
        shape <- inputs[0].Shape
        inputs[0].NewOfFloat64([| inputs[0].SumAll() |], [||])
    override _.Backward(g, _) = [| g.Expand shape |]

/// Sum along one axis; backward broadcasts g back along that axis.
type SumAxisFn(axis: int, keepDim: bool) =
    inherit Function()
    let mutable shape: int[] = [||]
    let mutable ax = 0
    override _.Name = "SumAxis"
    override _.Forward(inputs) =
        shape <- inputs[0].Shape
        ax <- Shape.axis shape.Length axis
        inputs[0].SumAxis(ax, keepDim)
    override _.Backward(g, _) =
        let kept = g.View(Shape.reduced shape ax true)
        let r = kept.Expand shape
        kept.Release()
        [| r |]

/// Max along one axis; the gradient flows to the (first) arg-max only.
type MaxAxisFn(axis: int, keepDim: bool) =
    inherit Function()
    let mutable shape: int[] = [||]
    let mutable ax = 0
    let mutable argmax: int[] = [||]
    override _.Name = "MaxAxis"
    member _.ArgMax = argmax
    override _.Forward(inputs) =
        shape <- inputs[0].Shape
        ax <- Shape.axis shape.Length axis
        let v, idx = inputs[0].MaxAxis(ax, keepDim)
        argmax <- idx
        v
    override _.Backward(g, _) =
        let outer, n, inner = Shape.around shape ax
        let r = g.NewZeros shape
        for a in 0 .. outer - 1 do
            for i in 0 .. inner - 1 do
                let j = argmax[a * inner + i]
                r.SetItem((a * n + j) * inner + i, g.Item(a * inner + i))
        [| r |]
