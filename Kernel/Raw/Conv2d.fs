namespace InitLab.Kernel.Raw

open System
open System.Numerics.Tensors

/// Shape checks and the batch-parallel im2col + GEMM driver shared by the float32 and float64
/// convolutions. Each worker owns a fixed range of images and unfolds a few of them at a time side
/// by side (one wider GEMM instead of several thin ones). The backward pass cuts the batch into a
/// fixed number of chunks (set by the batch, not the thread count), sums weight/bias gradients per
/// chunk and reduces them in chunk order, so dW/db are bit-identical for every thread count.
module internal ConvDriver =

    let isNullArr (a: 'T[]) = isNull (box a)

    /// Output extent (oh, ow), after checking every array against the NCHW / OIHW shapes.
    [<Struct>]
    type Extent = { OH: int; OW: int }

    let check (name: string) (xLen: int) n c h w (wLen: int) oc kh kw stride pad : Extent =
        if xLen < 0 then nullArg (sprintf "%s: x is null" name)
        if wLen < 0 then nullArg (sprintf "%s: weight is null" name)
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
        if len < 0 then nullArg (sprintf "%s: %s is null" name what)
        if len < expected then
            invalidArg what (sprintf "%s: %s has %d elements, expected at least %s = %d" name what len shape expected)

    /// Checks an n·ch·oh·ow array; the message is only formatted on failure (no per-call garbage).
    let checkLen4 (name: string) (what: string) (len: int) (n: int) (ch: int) (oh: int) (ow: int) =
        if len < 0 || len < n * ch * oh * ow then
            checkLen name what len (n * ch * oh * ow) (sprintf "n·oc·oh·ow = %d·%d·%d·%d" n ch oh ow)

    /// Images unfolded together: enough to give the GEMM wide panels, few enough to stay in L2
    /// (budget in elements of the unfolded matrix; 32K–96K measured alike for LeNet conv2).
    let groupSize (budget: int) (ckk: int) (ohw: int) (imagesPerWorker: int) =
        max 1 (min imagesPerWorker (budget / max 1 (ckk * ohw)))

    let workersFor (n: int) = max 1 (min Threads.Count n)

    /// Most chunks a backward batch is cut into. The count depends on the batch alone (never on the
    /// thread count), so dW/db are summed in one order for every worker count; up to this many workers share it.
    [<Literal>]
    let MaxBackwardChunks = 16

    /// Chunks of the backward pass: runs of whole groups of g images, at most MaxBackwardChunks.
    let backwardChunks (n: int) (g: int) = max 1 (min MaxBackwardChunks ((n + g - 1) / g))

/// One convolution call (forward or backward) split by images across workers. The precision-specific
/// pieces (GEMM, unfold/fold, vector adds) are abstract; subclasses are cached per calling thread.
[<AbstractClass; AllowNullLiteral>]
type internal ConvJob<'T>() =
    inherit ThreadState.Job()
    [<DefaultValue>] val mutable Backward : bool
    [<DefaultValue>] val mutable Ws : Scratch[]
    [<DefaultValue>] val mutable Workers : int
    [<DefaultValue>] val mutable X : 'T[]
    [<DefaultValue>] val mutable Wt : 'T[]
    [<DefaultValue>] val mutable Bias : 'T[]
    [<DefaultValue>] val mutable Y : 'T[]
    [<DefaultValue>] val mutable Dy : 'T[]
    [<DefaultValue>] val mutable Dx : 'T[]
    [<DefaultValue>] val mutable Dw : 'T[]
    [<DefaultValue>] val mutable Db : 'T[]
    [<DefaultValue>] val mutable N : int
    [<DefaultValue>] val mutable C : int
    [<DefaultValue>] val mutable H : int
    [<DefaultValue>] val mutable W : int
    [<DefaultValue>] val mutable OC : int
    [<DefaultValue>] val mutable KH : int
    [<DefaultValue>] val mutable KW : int
    [<DefaultValue>] val mutable Stride : int
    [<DefaultValue>] val mutable Pad : int
    [<DefaultValue>] val mutable OH : int
    [<DefaultValue>] val mutable OW : int

    /// Worker scratch array with at least len elements.
    abstract Buf : Scratch * slot: int * len: int -> 'T[]
    /// C = op(A)·op(B) (+ C when accumulate), alpha = 1, on one worker.
    abstract Gemm : Scratch * bool * bool * int * int * int * 'T[] * int * int * 'T[] * int * int * bool * 'T[] * int * int -> unit
    abstract Unfold : 'T[] * int * 'T[] * int * int -> unit
    abstract Fold : 'T[] * int * int * 'T[] * int -> unit
    /// dst = src + b (b = None ⇒ copy)
    abstract AddScalar : ReadOnlySpan<'T> * 'T * bool * Span<'T> -> unit
    abstract Sum : ReadOnlySpan<'T> -> 'T
    abstract Add : 'T * 'T -> 'T
    /// dst += src
    abstract AddInto : ReadOnlySpan<'T> * Span<'T> -> unit
    abstract Zero : 'T[] * int -> unit

    member this.Clear() =
        this.Ws <- null
        this.X <- null
        this.Wt <- null
        this.Bias <- null
        this.Y <- null
        this.Dy <- null
        this.Dx <- null
        this.Dw <- null
        this.Db <- null

    override this.Run(wi) = if this.Backward then this.BackwardPart wi else this.ForwardPart wi

    member this.ForwardPart(wi: int) =
        let n, c, h, w, oc = this.N, this.C, this.H, this.W, this.OC
        let ckk = c * this.KH * this.KW
        let ohw = this.OH * this.OW
        let sc = this.Ws.[wi]
        let n0 = ThreadState.splitStart n this.Workers 1 wi
        let n1 = ThreadState.splitStart n this.Workers 1 (wi + 1)
        let g = ConvDriver.groupSize (96 * 1024) ckk ohw (n1 - n0)
        let col = this.Buf(sc, Slot.Col, ckk * g * ohw)
        let out = this.Buf(sc, Slot.Out, oc * g * ohw)
        let hasBias = not (isNull this.Bias)
        let mutable i0 = n0
        while i0 < n1 do
            let gc = min g (n1 - i0)
            let gw = gc * ohw
            for gi in 0 .. gc - 1 do
                this.Unfold(this.X, (i0 + gi) * c * h * w, col, gi * ohw, gw)
            this.Gemm(sc, false, false, oc, gw, ckk, this.Wt, 0, ckk, col, 0, gw, false, out, 0, gw)
            for gi in 0 .. gc - 1 do
                let yImg = (i0 + gi) * oc * ohw
                for o in 0 .. oc - 1 do
                    let b = if hasBias then this.Bias.[o] else Unchecked.defaultof<'T>
                    this.AddScalar(ReadOnlySpan<'T>(out, o * gw + gi * ohw, ohw), b, hasBias, Span<'T>(this.Y, yImg + o * ohw, ohw))
            i0 <- i0 + gc

    /// Images per unfolded group of the backward pass: from the whole batch, not a worker's share,
    /// so the blocks below do not depend on the thread count.
    member this.BackwardGroup() =
        ConvDriver.groupSize (96 * 1024) (this.C * this.KH * this.KW) (this.OH * this.OW) this.N

    member this.BackwardPart(wi: int) =
        let n, c, h, w, oc = this.N, this.C, this.H, this.W, this.OC
        let ckk = c * this.KH * this.KW
        let ohw = this.OH * this.OW
        let sc = this.Ws.[wi]
        let needDx = not (isNull this.Dx)
        let needDw = not (isNull this.Dw)
        let needDb = not (isNull this.Db)
        let g = this.BackwardGroup()
        let blocks = (n + g - 1) / g
        let chunks = ConvDriver.backwardChunks n g
        let c0 = ThreadState.splitStart chunks this.Workers 1 wi
        let c1 = ThreadState.splitStart chunks this.Workers 1 (wi + 1)
        let col = this.Buf(sc, Slot.Col, ckk * g * ohw)
        let dyg = this.Buf(sc, Slot.Out, oc * g * ohw)
        let dcol = if needDx then this.Buf(sc, Slot.DCol, ckk * g * ohw) else col
        // one partial dW/db per chunk this worker owns, reduced in chunk order afterwards
        let dwAll = this.Buf(sc, Slot.Grad, max 1 (c1 - c0) * oc * ckk)
        let dbAll = this.Buf(sc, Slot.Bias, max 1 (c1 - c0) * oc)
        this.Zero(dbAll, max 1 (c1 - c0) * oc)
        for ci in c0 .. c1 - 1 do
            let dwOff = (ci - c0) * oc * ckk
            let dbOff = (ci - c0) * oc
            let n0 = min n (g * ThreadState.splitStart blocks chunks 1 ci)
            let n1 = min n (g * ThreadState.splitStart blocks chunks 1 (ci + 1))
            let mutable first = true
            let mutable i0 = n0
            while i0 < n1 do
                let gc = min g (n1 - i0)
                let gw = gc * ohw
                // dY of the group as one oc × (gc·ohw) matrix
                for gi in 0 .. gc - 1 do
                    let dyImg = (i0 + gi) * oc * ohw
                    for o in 0 .. oc - 1 do
                        ReadOnlySpan<'T>(this.Dy, dyImg + o * ohw, ohw).CopyTo(Span<'T>(dyg, o * gw + gi * ohw, ohw))
                if needDb then
                    for o in 0 .. oc - 1 do
                        dbAll.[dbOff + o] <- this.Add(dbAll.[dbOff + o], this.Sum(ReadOnlySpan<'T>(dyg, o * gw, gw)))
                if needDw then
                    for gi in 0 .. gc - 1 do
                        this.Unfold(this.X, (i0 + gi) * c * h * w, col, gi * ohw, gw)
                    // dW_chunk (+)= dY · colᵀ
                    this.Gemm(sc, false, true, oc, ckk, gw, dyg, 0, gw, col, 0, gw, not first, dwAll, dwOff, ckk)
                    first <- false
                if needDx then
                    // dcol = Wᵀ · dY, folded back onto the images
                    this.Gemm(sc, true, false, ckk, gw, oc, this.Wt, 0, ckk, dyg, 0, gw, false, dcol, 0, gw)
                    for gi in 0 .. gc - 1 do
                        this.Fold(dcol, gi * ohw, gw, this.Dx, (i0 + gi) * c * h * w)
                i0 <- i0 + gc

    /// Adds the per-chunk partial weight/bias gradients in chunk order: the chunks are fixed by the
    /// batch alone, so the sums are bit-identical whatever the number of workers.
    member this.Reduce() =
        let ckk = this.C * this.KH * this.KW
        let oc = this.OC
        let chunks = ConvDriver.backwardChunks this.N (this.BackwardGroup())
        for wi in 0 .. this.Workers - 1 do
            let sc = this.Ws.[wi]
            let c0 = ThreadState.splitStart chunks this.Workers 1 wi
            let c1 = ThreadState.splitStart chunks this.Workers 1 (wi + 1)
            let owned = max 1 (c1 - c0)
            for k in 0 .. c1 - c0 - 1 do
                if not (isNull this.Dw) then
                    this.AddInto(ReadOnlySpan<'T>(this.Buf(sc, Slot.Grad, owned * oc * ckk), k * oc * ckk, oc * ckk), Span<'T>(this.Dw, 0, oc * ckk))
                if not (isNull this.Db) then
                    this.AddInto(ReadOnlySpan<'T>(this.Buf(sc, Slot.Bias, owned * oc), k * oc, oc), Span<'T>(this.Db, 0, oc))

    /// Fills the fields for one call and runs it on the worker pool.
    member this.Start(backward, x, n, c, h, w, wt, oc, kh, kw, stride, pad, oh, ow) =
        this.Backward <- backward
        this.Workers <-
            if backward then
                let g = ConvDriver.groupSize (96 * 1024) (c * kh * kw) (oh * ow) n
                max 1 (min Threads.Count (ConvDriver.backwardChunks n g))
            else ConvDriver.workersFor n
        this.Ws <- Workspace.For this.Workers
        this.X <- x
        this.Wt <- wt
        this.N <- n
        this.C <- c
        this.H <- h
        this.W <- w
        this.OC <- oc
        this.KH <- kh
        this.KW <- kw
        this.Stride <- stride
        this.Pad <- pad
        this.OH <- oh
        this.OW <- ow
        try
            ThreadState.runJob this.Workers this
            if backward then this.Reduce()
        finally
            this.Clear()

/// float32 convolution pieces: packed SGEMM, pointer unfold/fold, TensorPrimitives vector ops.
[<Sealed; AllowNullLiteral>]
type internal ConvJob32() =
    inherit ConvJob<float32>()
    [<ThreadStatic; DefaultValue>]
    static val mutable private cached : ConvJob32
    static member Current =
        if isNull ConvJob32.cached then ConvJob32.cached <- ConvJob32()
        ConvJob32.cached
    override _.Buf(sc, slot, len) = sc.F32(slot, len)
    override this.Gemm(sc, ta, tb, m, n, k, a, aOff, lda, b, bOff, ldb, acc, c, cOff, ldc) =
        let beta = if acc then 1.0f else 0.0f
        if this.Workers = 1 && Threads.Count > 1 then
            // fewer images than workers (e.g. one image): parallelise inside the GEMM instead;
            // it uses the packing slots, the convolution only the unfold/gradient slots
            Gemm.SgemmWith(Threads.Count, ta, tb, m, n, k, 1.0f, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc)
        else
            GemmCore.sgemmSerial sc ta tb m n k 1.0f a aOff lda b bOff ldb beta c cOff ldc
    override this.Unfold(x, xOff, col, colOff, ld) =
        Im2Col32.unfold x xOff this.C this.H this.W this.KH this.KW this.Stride this.Pad this.OH this.OW col colOff ld
    override this.Fold(col, colOff, ld, dx, dxOff) =
        Im2Col32.fold col colOff ld this.C this.H this.W this.KH this.KW this.Stride this.Pad this.OH this.OW dx dxOff
    override _.AddScalar(src, b, add, dst) = if add then TensorPrimitives.Add(src, b, dst) else src.CopyTo dst
    override _.Sum(src) = TensorPrimitives.Sum(src)
    override _.Add(a, b) = a + b
    override _.AddInto(src, dst) = TensorPrimitives.Add(Span.op_Implicit dst, src, dst)
    override _.Zero(a, len) = Array.Fill(a, 0.0f, 0, len)

/// float64 convolution pieces: exact scalar GEMM and generic unfold/fold.
[<Sealed; AllowNullLiteral>]
type internal ConvJob64() =
    inherit ConvJob<float>()
    [<ThreadStatic; DefaultValue>]
    static val mutable private cached : ConvJob64
    static member Current =
        if isNull ConvJob64.cached then ConvJob64.cached <- ConvJob64()
        ConvJob64.cached
    override _.Buf(sc, slot, len) = sc.F64(slot, len)
    override _.Gemm(_, ta, tb, m, n, k, a, aOff, lda, b, bOff, ldb, acc, c, cOff, ldc) =
        GemmCore.dgemmSerial ta tb m n k 1.0 a aOff lda b bOff ldb (if acc then 1.0 else 0.0) c cOff ldc
    override this.Unfold(x, xOff, col, colOff, ld) =
        Im2Col.unfold x xOff this.C this.H this.W this.KH this.KW this.Stride this.Pad this.OH this.OW col colOff ld
    override this.Fold(col, colOff, ld, dx, dxOff) =
        Im2Col.fold col colOff ld this.C this.H this.W this.KH this.KW this.Stride this.Pad this.OH this.OW dx dxOff
    override _.AddScalar(src, b, add, dst) = if add then TensorPrimitives.Add(src, b, dst) else src.CopyTo dst
    override _.Sum(src) = TensorPrimitives.Sum(src)
    override _.Add(a, b) = a + b
    override _.AddInto(src, dst) = TensorPrimitives.Add(Span.op_Implicit dst, src, dst)
    override _.Zero(a, len) = Array.Fill(a, 0.0, 0, len)

/// 2-D convolution, NCHW input, OIHW weight, stride and zero padding on both axes.
/// Output extent oh = (h + 2·pad - kh)/stride + 1 (likewise ow). float32 runs im2col + packed GEMM
/// over groups of images, batch split across Threads.Count workers; float64 runs the same unfolding
/// with exact scalar GEMM (for gradient checks).
[<AbstractClass; Sealed>]
type Conv2d =
    /// Checks the arrays against the shapes, then runs the forward job of either precision.
    static member private RunForward(job: ConvJob<'T>, x: 'T[], n: int, c: int, h: int, w: int, weight: 'T[], oc: int, kh: int, kw: int,
                                     stride: int, pad: int, bias: 'T[], y: 'T[]) : unit =
        let name = "Conv2d.Forward"
        let e = ConvDriver.check name (GemmCore.lengthOrNeg x) n c h w (GemmCore.lengthOrNeg weight) oc kh kw stride pad
        let oh, ow = e.OH, e.OW
        if not (ConvDriver.isNullArr bias) then ConvDriver.checkLen name "bias" bias.Length oc "oc"
        ConvDriver.checkLen4 name "y" (GemmCore.lengthOrNeg y) n oc oh ow
        job.Bias <- bias
        job.Y <- y
        job.Start(false, x, n, c, h, w, weight, oc, kh, kw, stride, pad, oh, ow)

    /// Checks the arrays against the shapes, then runs the backward job of either precision.
    static member private RunBackward(job: ConvJob<'T>, x: 'T[], n: int, c: int, h: int, w: int, weight: 'T[], oc: int, kh: int, kw: int,
                                      stride: int, pad: int, dy: 'T[], dx: 'T[], dweight: 'T[], dbias: 'T[]) : unit =
        let name = "Conv2d.Backward"
        let e = ConvDriver.check name (GemmCore.lengthOrNeg x) n c h w (GemmCore.lengthOrNeg weight) oc kh kw stride pad
        let oh, ow = e.OH, e.OW
        ConvDriver.checkLen4 name "dy" (GemmCore.lengthOrNeg dy) n oc oh ow
        if not (ConvDriver.isNullArr dx) then ConvDriver.checkLen name "dx" dx.Length (n * c * h * w) "n·c·h·w"
        if not (ConvDriver.isNullArr dweight) then ConvDriver.checkLen name "dweight" dweight.Length (oc * c * kh * kw) "oc·c·kh·kw"
        if not (ConvDriver.isNullArr dbias) then ConvDriver.checkLen name "dbias" dbias.Length oc "oc"
        job.Dy <- dy
        job.Dx <- dx
        job.Dw <- dweight
        job.Db <- dbias
        job.Start(true, x, n, c, h, w, weight, oc, kh, kw, stride, pad, oh, ow)

    /// y[n, oc, oh, ow] = Σ x ⋆ weight + bias (bias may be null). y is overwritten.
    static member Forward(x: float32[], n: int, c: int, h: int, w: int, weight: float32[], oc: int, kh: int, kw: int,
                          stride: int, pad: int, bias: float32[], y: float32[]) : unit =
        Conv2d.RunForward(ConvJob32.Current, x, n, c, h, w, weight, oc, kh, kw, stride, pad, bias, y)

    /// float64 forward (exact).
    static member Forward(x: float[], n: int, c: int, h: int, w: int, weight: float[], oc: int, kh: int, kw: int,
                          stride: int, pad: int, bias: float[], y: float[]) : unit =
        Conv2d.RunForward(ConvJob64.Current, x, n, c, h, w, weight, oc, kh, kw, stride, pad, bias, y)

    /// Gradients of Forward given dy: dx, dweight, dbias are ACCUMULATED (+=). dx null skips the
    /// input gradient (first layer); dweight or dbias null skips that gradient.
    static member Backward(x: float32[], n: int, c: int, h: int, w: int, weight: float32[], oc: int, kh: int, kw: int,
                           stride: int, pad: int, dy: float32[], dx: float32[], dweight: float32[], dbias: float32[]) : unit =
        Conv2d.RunBackward(ConvJob32.Current, x, n, c, h, w, weight, oc, kh, kw, stride, pad, dy, dx, dweight, dbias)

    /// float64 backward (exact); same accumulation contract.
    static member Backward(x: float[], n: int, c: int, h: int, w: int, weight: float[], oc: int, kh: int, kw: int,
                           stride: int, pad: int, dy: float[], dx: float[], dweight: float[], dbias: float[]) : unit =
        Conv2d.RunBackward(ConvJob64.Current, x, n, c, h, w, weight, oc, kh, kw, stride, pad, dy, dx, dweight, dbias)
