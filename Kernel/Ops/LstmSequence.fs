namespace InitLab.Kernel.Ops

open System
open System.Numerics
open System.Numerics.Tensors
open InitLab.Kernel

/// The whole LSTM sequence as one op (PyTorch's equations and gate order i, f, g, o):
/// gates_t = x_t·W_ihᵀ + b_ih + h_{t−1}·W_hhᵀ + b_hh; c_t = σ(f)·c_{t−1} + σ(i)·tanh(g); h_t = σ(o)·tanh(c_t).
/// Inputs x [B; T; in], W_ih [4H; in], W_hh [4H; H], (b_ih, b_hh [4H]), h0, c0 [B; H]; output
/// [B; T; 2H] holding h_t in the first H columns and c_t in the last H (so c_T can carry a gradient).
/// Fused because the unrolled graph costs a dozen tensors and closures per time step: here a call rents
/// its buffers once from the pool, each step is one GEMM into a slice plus one loop, and nothing is
/// allocated per step. Backward runs the steps in reverse with the saved activated gates and states.
module internal LstmSequenceKernel =
    let inline forward
        (b: int) (steps: int) (input: int) (hidden: int)
        (x: ^T[]) (wIh: ^T[]) (wHh: ^T[]) (bIh: ^T[]) (bHh: ^T[]) (h0: ^T[]) (c0: ^T[])
        (gates: ^T[]) (hAll: ^T[]) (cAll: ^T[]) (tanhC: ^T[]) (y: ^T[]) =
        let g4 = 4 * hidden
        // every step's input projection in one product: gates[b, t, :] = x[b, t, :]·W_ihᵀ
        Kern.gemm (false, true, b * steps, g4, input, 1.0, x, 0, input, wIh, 0, input, 0.0, gates, 0, g4)
        if not (isNull bIh) then
            for r in 0 .. b * steps - 1 do
                let o = r * g4
                for j in 0 .. g4 - 1 do gates[o + j] <- gates[o + j] + bIh[j] + bHh[j]
        for bi in 0 .. b - 1 do
            let at = bi * (steps + 1) * hidden
            if isNull h0 then
                Array.Clear(hAll, at, hidden)
                Array.Clear(cAll, at, hidden)
            else
                Array.Copy(h0, bi * hidden, hAll, at, hidden)
                Array.Copy(c0, bi * hidden, cAll, at, hidden)
        for t in 0 .. steps - 1 do
            // gates_t += h_{t−1}·W_hhᵀ, straight into the strided slice of step t
            Kern.gemm (false, true, b, g4, hidden, 1.0, hAll, t * hidden, (steps + 1) * hidden, wHh, 0, hidden,
                           1.0, gates, t * g4, steps * g4)
            for bi in 0 .. b - 1 do
                let go = (bi * steps + t) * g4
                let prev = (bi * (steps + 1) + t) * hidden
                let next = prev + hidden
                let tc = (bi * steps + t) * hidden
                let yo = (bi * steps + t) * 2 * hidden
                // σ over i and f, tanh over g, σ over o, tanh over c, in vector lanes (scalar exp was most of this loop)
                TensorPrimitives.Sigmoid(ReadOnlySpan<_>(gates, go, 2 * hidden), Span<_>(gates, go, 2 * hidden))
                TensorPrimitives.Tanh(ReadOnlySpan<_>(gates, go + 2 * hidden, hidden), Span<_>(gates, go + 2 * hidden, hidden))
                TensorPrimitives.Sigmoid(ReadOnlySpan<_>(gates, go + 3 * hidden, hidden), Span<_>(gates, go + 3 * hidden, hidden))
                for j in 0 .. hidden - 1 do
                    cAll[next + j] <- gates[go + hidden + j] * cAll[prev + j] + gates[go + j] * gates[go + 2 * hidden + j]
                TensorPrimitives.Tanh(ReadOnlySpan<_>(cAll, next, hidden), Span<_>(tanhC, tc, hidden))
                TensorPrimitives.Multiply(ReadOnlySpan<_>(gates, go + 3 * hidden, hidden), ReadOnlySpan<_>(tanhC, tc, hidden), Span<_>(hAll, next, hidden))
                Array.Copy(hAll, next, y, yo, hidden)
                Array.Copy(cAll, next, y, yo + hidden, hidden)

    /// Fills dGates (pre-activation gradients of every step); leaves dh0 in dh and dc0 in dc.
    let inline backward
        (b: int) (steps: int) (hidden: int) (wHh: ^T[])
        (gates: ^T[]) (cAll: ^T[]) (tanhC: ^T[]) (dy: ^T[]) (dGates: ^T[]) (dh: ^T[]) (dc: ^T[]) =
        let g4 = 4 * hidden
        Array.Clear dh
        Array.Clear dc
        for t in steps - 1 .. -1 .. 0 do
            for bi in 0 .. b - 1 do
                let go = (bi * steps + t) * g4
                let prev = (bi * (steps + 1) + t) * hidden
                let tc = (bi * steps + t) * hidden
                let yo = (bi * steps + t) * 2 * hidden
                let so = bi * hidden
                for j in 0 .. hidden - 1 do
                    let i, f = gates[go + j], gates[go + hidden + j]
                    let g, o = gates[go + 2 * hidden + j], gates[go + 3 * hidden + j]
                    let th = tanhC[tc + j]
                    let dhv = dy[yo + j] + dh[so + j]
                    let dcv = dc[so + j] + dy[yo + hidden + j] + dhv * o * (LanguagePrimitives.GenericOne - th * th)
                    dGates[go + j] <- dcv * g * i * (LanguagePrimitives.GenericOne - i)
                    dGates[go + hidden + j] <- dcv * cAll[prev + j] * f * (LanguagePrimitives.GenericOne - f)
                    dGates[go + 2 * hidden + j] <- dcv * i * (LanguagePrimitives.GenericOne - g * g)
                    dGates[go + 3 * hidden + j] <- dhv * th * o * (LanguagePrimitives.GenericOne - o)
                    dc[so + j] <- dcv * f
            // dh_{t−1} = dgates_t·W_hh
            Kern.gemm (false, false, b, hidden, g4, 1.0, dGates, t * g4, steps * g4, wHh, 0, hidden, 0.0, dh, 0, hidden)

    /// dW_hh = Σ_t dgates_tᵀ·h_{t−1}.
    let inline weightHhGrad
        (b: int) (steps: int) (hidden: int) (dGates: ^T[]) (hAll: ^T[]) (dW: ^T[]) =
        let g4 = 4 * hidden
        for t in 0 .. steps - 1 do
            Kern.gemm (true, false, g4, hidden, b, 1.0, dGates, t * g4, steps * g4, hAll, t * hidden, (steps + 1) * hidden,
                           (if t = 0 then 0.0 else 1.0), dW, 0, hidden)

    /// Column sums of the [rows; cols] matrix `m` into `sums`.
    let inline columnSums
        (rows: int) (cols: int) (m: ^T[]) (sums: ^T[]) =
        Array.Clear sums
        for r in 0 .. rows - 1 do
            let o = r * cols
            for j in 0 .. cols - 1 do sums[j] <- sums[j] + m[o + j]

/// One forward or backward of the fused op for one element type, given how to read a tensor's array.
module internal LstmSequenceCalls =
    let inline forward (get: RawTensor -> ^T[]) (hidden: int) (hasBias: bool) (hasState: bool) (inputs: RawTensor[])
                       (gates: RawTensor) (hAll: RawTensor) (cAll: RawTensor) (tanhC: RawTensor) =
        let x, wIh, wHh = inputs[0], inputs[1], inputs[2]
        let b, steps, input = x.Shape[0], x.Shape[1], x.Shape[2]
        let h0, c0 = if hasState then get inputs[inputs.Length - 2], get inputs[inputs.Length - 1] else null, null
        let y = x.New [| b; steps; 2 * hidden |]
        LstmSequenceKernel.forward b steps input hidden (get x) (get wIh) (get wHh)
            (if hasBias then get inputs[3] else null) (if hasBias then get inputs[4] else null)
            h0 c0 (get gates) (get hAll) (get cAll) (get tanhC) (get y)
        y

    let inline backward (get: RawTensor -> ^T[]) (hidden: int) (hasBias: bool) (hasState: bool) (x: RawTensor) (wIh: RawTensor) (wHh: RawTensor)
                        (gates: RawTensor) (hAll: RawTensor) (cAll: RawTensor) (tanhC: RawTensor) (g: RawTensor) (needs: bool[]) =
        let b, steps, input = x.Shape[0], x.Shape[1], x.Shape[2]
        let g4 = 4 * hidden
        let dGates = x.New [| b; steps; g4 |]
        let dh, dc = x.New [| b; hidden |], x.New [| b; hidden |]
        LstmSequenceKernel.backward b steps hidden (get wHh) (get gates) (get cAll) (get tanhC) (get g)
            (get dGates) (get dh) (get dc)
        let dG = get dGates
        let dx =
            if needs[0] then
                let r = x.New x.Shape
                Kern.gemm (false, false, b * steps, input, g4, 1.0, dG, 0, g4, get wIh, 0, input, 0.0, get r, 0, input)
                r
            else null
        let dWih =
            if needs[1] then
                let r = x.New wIh.Shape
                Kern.gemm (true, false, g4, input, b * steps, 1.0, dG, 0, g4, get x, 0, input, 0.0, get r, 0, input)
                r
            else null
        let dWhh =
            if needs[2] then
                let r = x.New wHh.Shape
                LstmSequenceKernel.weightHhGrad b steps hidden dG (get hAll) (get r)
                r
            else null
        let sums () =
            let r = x.New [| g4 |]
            LstmSequenceKernel.columnSums (b * steps) g4 dG (get r)
            r
        let biasGrads = if not hasBias then [||] else [| (if needs[3] then sums () else null); (if needs[4] then sums () else null) |]
        dGates.Release()
        let n = needs.Length
        let state =
            if hasState then [| (if needs[n - 2] then dh else (dh.Release(); null)); (if needs[n - 1] then dc else (dc.Release(); null)) |]
            else
                dh.Release()
                dc.Release()
                [||]
        Array.concat [ [| dx; dWih; dWhh |]; biasGrads; state ]

/// See `LstmSequenceKernel`: inputs [x; W_ih; W_hh; (b_ih; b_hh;) (h0; c0)], output [B; T; 2H]; without
/// h0 and c0 the sequence starts from zeros (and no zero tensors are made for it).
type LstmSequenceFn(hidden: int, hasBias: bool, hasState: bool) =
    inherit Function()
    let mutable x: RawTensor = null
    let mutable wIh: RawTensor = null
    let mutable wHh: RawTensor = null
    let mutable gates: RawTensor = null
    let mutable hAll: RawTensor = null
    let mutable cAll: RawTensor = null
    let mutable tanhC: RawTensor = null
    static let f32 (t: RawTensor) = (t :?> RawTensor<float32>).Data
    static let f64 (t: RawTensor) = (t :?> RawTensor<float>).Data

    override _.Name = "LstmSequence"
    override _.Forward(inputs) =
        x <- inputs[0]
        wIh <- inputs[1]
        wHh <- inputs[2]
        let b, steps = x.Shape[0], x.Shape[1]
        gates <- x.New [| b; steps; 4 * hidden |]
        hAll <- x.New [| b; steps + 1; hidden |]
        cAll <- x.New [| b; steps + 1; hidden |]
        tanhC <- x.New [| b; steps; hidden |]
        match x.DType with
        | Float32 -> LstmSequenceCalls.forward f32 hidden hasBias hasState inputs gates hAll cAll tanhC
        | Float64 -> LstmSequenceCalls.forward f64 hidden hasBias hasState inputs gates hAll cAll tanhC
    override _.Backward(g, needs) =
        match x.DType with
        | Float32 -> LstmSequenceCalls.backward f32 hidden hasBias hasState x wIh wHh gates hAll cAll tanhC g needs
        | Float64 -> LstmSequenceCalls.backward f64 hidden hasBias hasState x wIh wHh gates hAll cAll tanhC g needs
    override _.ReleaseSaved() =
        if not (isNull gates) then
            gates.Release()
            hAll.Release()
            cAll.Release()
            tanhC.Release()
        gates <- null
        hAll <- null
        cAll <- null
        tanhC <- null
