namespace InitLab.Kernel.Raw

open System
open System.Numerics.Tensors

/// Shape checks and the batch-parallel im2col + GEMM driver shared by the float32 and float64
/// convolutions. Each worker owns a fixed range of images and unfolds a few of them at a time side
/// by side (one wider GEMM instead of several thin ones); weight/bias gradients are summed per
/// worker and reduced in worker order, so results are bit-identical for a given thread count.
module internal ConvDriver =

    let isNullArr (a: 'T[]) = isNull (box a)

    /// Output extent (oh, ow), after checking every array against the NCHW / OIHW shapes.
    [<Struct>]
    type Extent = { OH: int; OW: int }

    let check (name: string) (xLen: int) n c h w (wLen: int) oc kh kw stride pad : Extent =
        if n < 1 || c < 1 || h < 1 || w < 1 || oc < 1 || kh < 1 || kw < 1 then
            invalidArg "shape" (sprintf "%s: sizes must be positive, got n=%d c=%d h=%d w=%d oc=%d kh=%d kw=%d" name n c h w oc kh kw)
        if stride < 1 then invalidArg "stride" (sprintf "%s: stride must be >= 1, got %d" name stride)
        if pad < 0 then invalidArg "pad" (sprintf "%s: pad must be >= 0, got %d" name pad)
        if h + 2 * pad < kh || w + 2 * pad < kw then
            invalidArg "shape" (sprintf "%s: kernel %d×%d is larger than the padded input %d×%d (h=%d w=%d pad=%d)" name kh kw (h + 2 * pad) (w + 2 * pad) h w pad)
        if xLen < n * c * h * w then
            invalidArg "x" (sprintf "%s: x has %d elements, expected at least n·c·h·w = %d·%d·%d·%d = %d" name xLen n c h w (n * c * h * w))
        if wLen < oc * c * kh * kw then
            invalidArg "weight" (sprintf "%s: weight has %d elements, expected at least oc·c·kh·kw = %d·%d·%d·%d = %d" name wLen oc c kh kw (oc * c * kh * kw))
        { OH = (h + 2 * pad - kh) / stride + 1; OW = (w + 2 * pad - kw) / stride + 1 }

    let checkLen (name: string) (what: string) (len: int) (expected: int) (shape: string) =
        if len < expected then
            invalidArg what (sprintf "%s: %s has %d elements, expected at least %s = %d" name what len shape expected)

    /// Checks an n·ch·oh·ow array; the message is only formatted on failure (no per-call garbage).
    let checkLen4 (name: string) (what: string) (len: int) (n: int) (ch: int) (oh: int) (ow: int) =
        if len < n * ch * oh * ow then
            checkLen name what len (n * ch * oh * ow) (sprintf "n·oc·oh·ow = %d·%d·%d·%d" n ch oh ow)

    /// Images unfolded together: enough to give the GEMM wide panels, few enough to stay in L2.
    let groupSize (ckk: int) (ohw: int) (imagesPerWorker: int) =
        let budget = 96 * 1024
        max 1 (min imagesPerWorker (budget / max 1 (ckk * ohw)))

    let workersFor (n: int) = max 1 (min Threads.Count n)

    /// GEMM over worker scratch: C = op(A)·op(B) (+ C when accumulate).
    type Gemm<'T> = Scratch -> bool -> bool -> int -> int -> int -> 'T[] -> int -> int -> 'T[] -> int -> int -> bool -> 'T[] -> int -> int -> unit

    /// Unfold / fold functions with the Im2Col contracts.
    type Unfold<'T> = 'T[] -> int -> int -> int -> int -> int -> int -> int -> int -> int -> int -> 'T[] -> int -> int -> unit
    type Fold<'T> = 'T[] -> int -> int -> int -> int -> int -> int -> int -> int -> int -> int -> int -> 'T[] -> int -> unit

    let inline forward (buf: Scratch -> int -> int -> 'T[]) (gemm: Gemm<'T>) ([<InlineIfLambda>] unfold: Unfold<'T>)
                       (x: 'T[]) n c h w (wt: 'T[]) oc kh kw stride pad (bias: 'T[]) (y: 'T[]) oh ow =
        let ckk = c * kh * kw
        let ohw = oh * ow
        let workers = workersFor n
        let ws = Workspace.For workers
        let hasBias = not (isNullArr bias)
        ThreadState.run workers (fun wi ->
            let sc = ws.[wi]
            let n0 = ThreadState.splitStart n workers 1 wi
            let n1 = ThreadState.splitStart n workers 1 (wi + 1)
            let g = groupSize ckk ohw (n1 - n0)
            let col = buf sc Slot.Col (ckk * g * ohw)
            let out = buf sc Slot.Out (oc * g * ohw)
            let mutable i0 = n0
            while i0 < n1 do
                let gc = min g (n1 - i0)
                let gw = gc * ohw
                for gi in 0 .. gc - 1 do
                    unfold x ((i0 + gi) * c * h * w) c h w kh kw stride pad oh ow col (gi * ohw) gw
                gemm sc false false oc gw ckk wt 0 ckk col 0 gw false out 0 gw
                for gi in 0 .. gc - 1 do
                    let yImg = (i0 + gi) * oc * ohw
                    for o in 0 .. oc - 1 do
                        let src = Span<'T>(out, o * gw + gi * ohw, ohw)
                        let dst = Span<'T>(y, yImg + o * ohw, ohw)
                        if hasBias then TensorPrimitives.Add(Span.op_Implicit src, bias.[o], dst)
                        else src.CopyTo dst
                i0 <- i0 + gc)

    let inline backward (buf: Scratch -> int -> int -> 'T[]) (gemm: Gemm<'T>) ([<InlineIfLambda>] unfold: Unfold<'T>) ([<InlineIfLambda>] fold: Fold<'T>)
                        (x: 'T[]) n c h w (wt: 'T[]) oc kh kw stride pad (dy: 'T[])
                        (dx: 'T[]) (dw: 'T[]) (db: 'T[]) oh ow =
        let ckk = c * kh * kw
        let ohw = oh * ow
        let workers = workersFor n
        let ws = Workspace.For workers
        let needDx = not (isNullArr dx)
        let needDw = not (isNullArr dw)
        let needDb = not (isNullArr db)
        let zero = Unchecked.defaultof<'T>
        ThreadState.run workers (fun wi ->
            let sc = ws.[wi]
            let n0 = ThreadState.splitStart n workers 1 wi
            let n1 = ThreadState.splitStart n workers 1 (wi + 1)
            let g = groupSize ckk ohw (n1 - n0)
            let col = buf sc Slot.Col (ckk * g * ohw)
            let dyg = buf sc Slot.Out (oc * g * ohw)
            let dcol = if needDx then buf sc Slot.DCol (ckk * g * ohw) else col
            let dwp = buf sc Slot.Grad (oc * ckk)
            let dbp = buf sc Slot.Bias oc
            Array.Fill(dwp, zero, 0, oc * ckk)
            Array.Fill(dbp, zero, 0, oc)
            let mutable first = true
            let mutable i0 = n0
            while i0 < n1 do
                let gc = min g (n1 - i0)
                let gw = gc * ohw
                // dY of the group as one oc × (gc·ohw) matrix
                for gi in 0 .. gc - 1 do
                    let dyImg = (i0 + gi) * oc * ohw
                    for o in 0 .. oc - 1 do
                        ReadOnlySpan<'T>(dy, dyImg + o * ohw, ohw).CopyTo(Span<'T>(dyg, o * gw + gi * ohw, ohw))
                if needDb then
                    for o in 0 .. oc - 1 do
                        dbp.[o] <- dbp.[o] + TensorPrimitives.Sum(ReadOnlySpan<'T>(dyg, o * gw, gw))
                if needDw then
                    for gi in 0 .. gc - 1 do
                        unfold x ((i0 + gi) * c * h * w) c h w kh kw stride pad oh ow col (gi * ohw) gw
                    // dW += dY · colᵀ
                    gemm sc false true oc ckk gw dyg 0 gw col 0 gw (not first) dwp 0 ckk
                    first <- false
                if needDx then
                    // dcol = Wᵀ · dY, folded back onto the images
                    gemm sc true false ckk gw oc wt 0 ckk dyg 0 gw false dcol 0 gw
                    for gi in 0 .. gc - 1 do
                        fold dcol (gi * ohw) gw c h w kh kw stride pad oh ow dx ((i0 + gi) * c * h * w)
                i0 <- i0 + gc)
        // fixed-order reduction of the per-worker partial sums
        for wi in 0 .. workers - 1 do
            let sc = ws.[wi]
            if needDw then
                let dwv = Span<'T>(dw, 0, oc * ckk)
                TensorPrimitives.Add(Span.op_Implicit dwv, ReadOnlySpan<'T>(buf sc Slot.Grad (oc * ckk), 0, oc * ckk), dwv)
            if needDb then
                let dbv = Span<'T>(db, 0, oc)
                TensorPrimitives.Add(Span.op_Implicit dbv, ReadOnlySpan<'T>(buf sc Slot.Bias oc, 0, oc), dbv)

    let f32Buf (sc: Scratch) (slot: int) (len: int) = sc.F32(slot, len)
    let f64Buf (sc: Scratch) (slot: int) (len: int) = sc.F64(slot, len)

    let f32Gemm : Gemm<float32> =
        fun sc ta tb m n k a aOff lda b bOff ldb acc c cOff ldc ->
            GemmCore.sgemmSerial sc ta tb m n k 1.0f a aOff lda b bOff ldb (if acc then 1.0f else 0.0f) c cOff ldc

    let f64Gemm : Gemm<float> =
        fun _ ta tb m n k a aOff lda b bOff ldb acc c cOff ldc ->
            GemmCore.dgemmSerial ta tb m n k 1.0 a aOff lda b bOff ldb (if acc then 1.0 else 0.0) c cOff ldc

/// 2-D convolution, NCHW input, OIHW weight, stride and zero padding on both axes.
/// Output extent oh = (h + 2·pad - kh)/stride + 1 (likewise ow). float32 runs im2col + packed GEMM
/// over groups of images, batch split across Threads.Count workers; float64 runs the same unfolding
/// with exact scalar GEMM (for gradient checks).
[<AbstractClass; Sealed>]
type Conv2d =
    /// y[n, oc, oh, ow] = Σ x ⋆ weight + bias (bias may be null). y is overwritten.
    static member Forward(x: float32[], n: int, c: int, h: int, w: int, weight: float32[], oc: int, kh: int, kw: int,
                          stride: int, pad: int, bias: float32[], y: float32[]) : unit =
        let name = "Conv2d.Forward"
        let e = ConvDriver.check name (Array.length x) n c h w (Array.length weight) oc kh kw stride pad
        let oh, ow = e.OH, e.OW
        if not (ConvDriver.isNullArr bias) then ConvDriver.checkLen name "bias" bias.Length oc "oc"
        ConvDriver.checkLen4 name "y" (Array.length y) n oc oh ow
        ConvDriver.forward ConvDriver.f32Buf ConvDriver.f32Gemm Im2Col32.unfold x n c h w weight oc kh kw stride pad bias y oh ow

    /// float64 forward (exact).
    static member Forward(x: float[], n: int, c: int, h: int, w: int, weight: float[], oc: int, kh: int, kw: int,
                          stride: int, pad: int, bias: float[], y: float[]) : unit =
        let name = "Conv2d.Forward"
        let e = ConvDriver.check name (Array.length x) n c h w (Array.length weight) oc kh kw stride pad
        let oh, ow = e.OH, e.OW
        if not (ConvDriver.isNullArr bias) then ConvDriver.checkLen name "bias" bias.Length oc "oc"
        ConvDriver.checkLen4 name "y" (Array.length y) n oc oh ow
        ConvDriver.forward ConvDriver.f64Buf ConvDriver.f64Gemm Im2Col.unfold x n c h w weight oc kh kw stride pad bias y oh ow

    /// Gradients of Forward given dy: dx, dweight, dbias are ACCUMULATED (+=). dx null skips the
    /// input gradient (first layer); dweight or dbias null skips that gradient.
    static member Backward(x: float32[], n: int, c: int, h: int, w: int, weight: float32[], oc: int, kh: int, kw: int,
                           stride: int, pad: int, dy: float32[], dx: float32[], dweight: float32[], dbias: float32[]) : unit =
        let name = "Conv2d.Backward"
        let e = ConvDriver.check name (Array.length x) n c h w (Array.length weight) oc kh kw stride pad
        let oh, ow = e.OH, e.OW
        ConvDriver.checkLen4 name "dy" (Array.length dy) n oc oh ow
        if not (ConvDriver.isNullArr dx) then ConvDriver.checkLen name "dx" dx.Length (n * c * h * w) "n·c·h·w"
        if not (ConvDriver.isNullArr dweight) then ConvDriver.checkLen name "dweight" dweight.Length (oc * c * kh * kw) "oc·c·kh·kw"
        if not (ConvDriver.isNullArr dbias) then ConvDriver.checkLen name "dbias" dbias.Length oc "oc"
        ConvDriver.backward ConvDriver.f32Buf ConvDriver.f32Gemm Im2Col32.unfold Im2Col32.fold x n c h w weight oc kh kw stride pad dy dx dweight dbias oh ow

    /// float64 backward (exact); same accumulation contract.
    static member Backward(x: float[], n: int, c: int, h: int, w: int, weight: float[], oc: int, kh: int, kw: int,
                           stride: int, pad: int, dy: float[], dx: float[], dweight: float[], dbias: float[]) : unit =
        let name = "Conv2d.Backward"
        let e = ConvDriver.check name (Array.length x) n c h w (Array.length weight) oc kh kw stride pad
        let oh, ow = e.OH, e.OW
        ConvDriver.checkLen4 name "dy" (Array.length dy) n oc oh ow
        if not (ConvDriver.isNullArr dx) then ConvDriver.checkLen name "dx" dx.Length (n * c * h * w) "n·c·h·w"
        if not (ConvDriver.isNullArr dweight) then ConvDriver.checkLen name "dweight" dweight.Length (oc * c * kh * kw) "oc·c·kh·kw"
        if not (ConvDriver.isNullArr dbias) then ConvDriver.checkLen name "dbias" dbias.Length oc "oc"
        ConvDriver.backward ConvDriver.f64Buf ConvDriver.f64Gemm Im2Col.unfold Im2Col.fold x n c h w weight oc kh kw stride pad dy dx dweight dbias oh ow
