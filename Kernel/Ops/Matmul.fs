namespace InitLab.Kernel.Ops

open InitLab.Kernel

/// A·B for [..; m; k] × [..; k; n] (batch dims equal) or × [k; n] (one B shared by every row).
/// Backward: dA = dC·Bᵀ, dB = Aᵀ·dC (summed over the batch when B is shared).
type MatmulFn() =
    inherit Function()
    let mutable a: RawTensor = null
    let mutable b: RawTensor = null
    override _.Name = "Matmul"
    override _.Forward(inputs) =
        a <- inputs[0]
        b <- inputs[1]
        a.Matmul(b, false, false)
    override _.Backward(g, needs) =
        let ga = if needs[0] then g.Matmul(b, false, true) else null
        let gb =
            if not needs[1] then null
            elif b.Rank = 2 && a.Rank > 2 then
                let k, n = a.Shape[a.Rank - 1], b.Shape[1]
                let a2 = a.View [| -1; k |]
                let g2 = g.View [| -1; n |]
                let r = a2.Matmul(g2, true, false)
                a2.Release()
                g2.Release()
                r
            else a.Matmul(g, true, false)
        [| ga; gb |]

/// y = x·Wᵀ + b with W stored [out; in] (PyTorch's and Caffe's InnerProduct layout); bias optional.
type LinearFn(hasBias: bool) =
    inherit Function()
    let mutable x: RawTensor = null
    let mutable w: RawTensor = null
    override _.Name = "Linear"
    override _.Forward(inputs) =
        x <- inputs[0]
        w <- inputs[1]
        x.Linear(w, (if hasBias then inputs[2] else null))
    override _.Backward(g, needs) =
        let outF, inF = w.Shape[0], w.Shape[1]
        let gx = if needs[0] then g.Matmul(w, false, false) else null
        let gw =
            if needs[1] then
                let g2 = g.View [| -1; outF |]
                let x2 = x.View [| -1; inF |]
                let r = g2.Matmul(x2, true, false)
                g2.Release()
                x2.Release()
                r
            else null
        let gb = if hasBias && needs[2] then g.SumTo [| outF |] else null
        if hasBias then [| gx; gw; gb |] else [| gx; gw |]
