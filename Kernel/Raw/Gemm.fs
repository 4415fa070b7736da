namespace InitLab.Kernel.Raw

open System
open System.Runtime.Intrinsics
open System.Runtime.CompilerServices
open Microsoft.FSharp.NativeInterop

#nowarn "9"

/// Single-worker GEMM engines; the public Gemm type splits work across workers on top of them.
module internal GemmCore =
    open Packing

    [<Literal>]
    let KC = 256
    [<Literal>]
    let MC = 120
    [<Literal>]
    let NC = 2048

    /// Writes C[r, j] = alpha·t[r, j] + beta·C[r, j] for the valid mr×nr part of a MR×NR tile.
    /// beta = 0 never reads C (BLAS semantics: C may hold garbage or NaN).
    let inline private storeTile (t: nativeptr<float32>) (c: nativeptr<float32>) (ldc: int) (mr: int) (nr: int) (alpha: float32) (beta: float32) =
        let va = Vector512.Create alpha
        let vb = Vector512.Create beta
        for r in 0 .. mr - 1 do
            let tr = NativePtr.add t (r * NR)
            let cr = NativePtr.add c (r * ldc)
            if nr = NR then
                let t0 = Vector512.Load tr
                let t1 = Vector512.Load(NativePtr.add tr 16)
                if beta = 0.0f then
                    Vector512.Store(va * t0, cr)
                    Vector512.Store(va * t1, NativePtr.add cr 16)
                elif beta = 1.0f then
                    Vector512.Store(Vector512.FusedMultiplyAdd(va, t0, Vector512.Load cr), cr)
                    Vector512.Store(Vector512.FusedMultiplyAdd(va, t1, Vector512.Load(NativePtr.add cr 16)), NativePtr.add cr 16)
                else
                    Vector512.Store(Vector512.FusedMultiplyAdd(va, t0, vb * Vector512.Load cr), cr)
                    Vector512.Store(Vector512.FusedMultiplyAdd(va, t1, vb * Vector512.Load(NativePtr.add cr 16)), NativePtr.add cr 16)
            else
                for j in 0 .. nr - 1 do
                    let v = NativePtr.get tr j
                    if beta = 0.0f then NativePtr.set cr j (alpha * v)
                    else NativePtr.set cr j (MathF.FusedMultiplyAdd(alpha, v, beta * NativePtr.get cr j))

    /// C = beta·C on an m×n block (used when k = 0).
    let private scaleC (c: float32[]) (cOff: int) (ldc: int) (m: int) (n: int) (beta: float32) =
        for i in 0 .. m - 1 do
            let row = cOff + i * ldc
            for j in 0 .. n - 1 do
                c.[row + j] <- if beta = 0.0f then 0.0f else beta * c.[row + j]

    /// Horizontal sum of a Vector512 plus a scalar tail.
    let inline private finish (v: Vector512<float32>) (tail: float32) = Vector512.Sum v + tail

    let inline private storeDot (c: nativeptr<float32>) (alpha: float32) (beta: float32) (v: float32) =
        if beta = 0.0f then NativePtr.write c (alpha * v)
        else NativePtr.write c (MathF.FusedMultiplyAdd(alpha, v, beta * NativePtr.read c))

    /// C = alpha·A·Bᵀ + beta·C as dot products of contiguous rows (no packing): for narrow C with a
    /// long k (convolution weight gradients with few taps, small output layers) the packed kernel
    /// wastes most of a 32-wide panel. 4×3 register blocks of Vector512 accumulators.
    [<MethodImpl(MethodImplOptions.AggressiveOptimization)>]
    let dotNT (m: int) (n: int) (k: int) (alpha: float32) (a: nativeptr<float32>) (lda: int)
              (b: nativeptr<float32>) (ldb: int) (beta: float32) (c: nativeptr<float32>) (ldc: int) =
        let kv = k / 16 * 16
        let mutable i = 0
        while i < m do
            let mr = min 4 (m - i)
            let mutable j = 0
            while j < n do
                let nr = min 3 (n - j)
                if mr = 4 && nr = 3 then
                    let a0 = NativePtr.add a (i * lda)
                    let a1 = NativePtr.add a0 lda
                    let a2 = NativePtr.add a1 lda
                    let a3 = NativePtr.add a2 lda
                    let b0 = NativePtr.add b (j * ldb)
                    let b1 = NativePtr.add b0 ldb
                    let b2 = NativePtr.add b1 ldb
                    let mutable s00 = Vector512<float32>.Zero
                    let mutable s01 = Vector512<float32>.Zero
                    let mutable s02 = Vector512<float32>.Zero
                    let mutable s10 = Vector512<float32>.Zero
                    let mutable s11 = Vector512<float32>.Zero
                    let mutable s12 = Vector512<float32>.Zero
                    let mutable s20 = Vector512<float32>.Zero
                    let mutable s21 = Vector512<float32>.Zero
                    let mutable s22 = Vector512<float32>.Zero
                    let mutable s30 = Vector512<float32>.Zero
                    let mutable s31 = Vector512<float32>.Zero
                    let mutable s32 = Vector512<float32>.Zero
                    let mutable p = 0
                    while p < kv do
                        let y0 = Vector512.Load(NativePtr.add b0 p)
                        let y1 = Vector512.Load(NativePtr.add b1 p)
                        let y2 = Vector512.Load(NativePtr.add b2 p)
                        let x0 = Vector512.Load(NativePtr.add a0 p)
                        s00 <- Vector512.FusedMultiplyAdd(x0, y0, s00)
                        s01 <- Vector512.FusedMultiplyAdd(x0, y1, s01)
                        s02 <- Vector512.FusedMultiplyAdd(x0, y2, s02)
                        let x1 = Vector512.Load(NativePtr.add a1 p)
                        s10 <- Vector512.FusedMultiplyAdd(x1, y0, s10)
                        s11 <- Vector512.FusedMultiplyAdd(x1, y1, s11)
                        s12 <- Vector512.FusedMultiplyAdd(x1, y2, s12)
                        let x2 = Vector512.Load(NativePtr.add a2 p)
                        s20 <- Vector512.FusedMultiplyAdd(x2, y0, s20)
                        s21 <- Vector512.FusedMultiplyAdd(x2, y1, s21)
                        s22 <- Vector512.FusedMultiplyAdd(x2, y2, s22)
                        let x3 = Vector512.Load(NativePtr.add a3 p)
                        s30 <- Vector512.FusedMultiplyAdd(x3, y0, s30)
                        s31 <- Vector512.FusedMultiplyAdd(x3, y1, s31)
                        s32 <- Vector512.FusedMultiplyAdd(x3, y2, s32)
                        p <- p + 16
                    let inline tail (ar: nativeptr<float32>) (br: nativeptr<float32>) =
                        let mutable t = 0.0f
                        for q in kv .. k - 1 do t <- MathF.FusedMultiplyAdd(NativePtr.get ar q, NativePtr.get br q, t)
                        t
                    let cr = NativePtr.add c (i * ldc + j)
                    storeDot cr alpha beta (finish s00 (tail a0 b0))
                    storeDot (NativePtr.add cr 1) alpha beta (finish s01 (tail a0 b1))
                    storeDot (NativePtr.add cr 2) alpha beta (finish s02 (tail a0 b2))
                    let cr = NativePtr.add cr ldc
                    storeDot cr alpha beta (finish s10 (tail a1 b0))
                    storeDot (NativePtr.add cr 1) alpha beta (finish s11 (tail a1 b1))
                    storeDot (NativePtr.add cr 2) alpha beta (finish s12 (tail a1 b2))
                    let cr = NativePtr.add cr ldc
                    storeDot cr alpha beta (finish s20 (tail a2 b0))
                    storeDot (NativePtr.add cr 1) alpha beta (finish s21 (tail a2 b1))
                    storeDot (NativePtr.add cr 2) alpha beta (finish s22 (tail a2 b2))
                    let cr = NativePtr.add cr ldc
                    storeDot cr alpha beta (finish s30 (tail a3 b0))
                    storeDot (NativePtr.add cr 1) alpha beta (finish s31 (tail a3 b1))
                    storeDot (NativePtr.add cr 2) alpha beta (finish s32 (tail a3 b2))
                else
                    // edge block: one dot product per element
                    for r in 0 .. mr - 1 do
                        for q in 0 .. nr - 1 do
                            let ar = NativePtr.add a ((i + r) * lda)
                            let br = NativePtr.add b ((j + q) * ldb)
                            let mutable s = Vector512<float32>.Zero
                            let mutable p = 0
                            while p < kv do
                                s <- Vector512.FusedMultiplyAdd(Vector512.Load(NativePtr.add ar p), Vector512.Load(NativePtr.add br p), s)
                                p <- p + 16
                            let mutable t = 0.0f
                            for p in kv .. k - 1 do t <- MathF.FusedMultiplyAdd(NativePtr.get ar p, NativePtr.get br p, t)
                            storeDot (NativePtr.add c ((i + r) * ldc + j + q)) alpha beta (finish s t)
                j <- j + 3
            i <- i + 4

    /// Whether C = A·Bᵀ should take the dot-product path (narrow C, long rows).
    let useDotNT (transA: bool) (transB: bool) (n: int) (k: int) =
        not transA && transB && n <= 32 && k >= 128 && Vector512.IsHardwareAccelerated

    /// C[m×n] = alpha·op(A)·op(B) + beta·C on one worker, using that worker's scratch.
    [<MethodImpl(MethodImplOptions.AggressiveOptimization)>]
    let sgemmSerial (sc: Scratch) (transA: bool) (transB: bool) (m: int) (n: int) (k: int) (alpha: float32)
                    (a: float32[]) (aOff: int) (lda: int) (b: float32[]) (bOff: int) (ldb: int)
                    (beta: float32) (c: float32[]) (cOff: int) (ldc: int) =
        if m > 0 && n > 0 then
            if k = 0 || alpha = 0.0f then scaleC c cOff ldc m n beta
            elif useDotNT transA transB n k then
                use pa0 = fixed a
                use pb0 = fixed b
                use pc0 = fixed c
                dotNT m n k alpha (NativePtr.add pa0 aOff) lda (NativePtr.add pb0 bOff) ldb beta (NativePtr.add pc0 cOff) ldc
            else
                let kcMax = min KC k
                let mcMax = min MC (((m + MR - 1) / MR) * MR)
                let ncMax = min NC (((n + NR - 1) / NR) * NR)
                let bufA = sc.F32(Slot.PackA, mcMax * kcMax)
                let bufB = sc.F32(Slot.PackB, ncMax * kcMax)
                let bufT = sc.F32(Slot.Tile, MR * NR)
                use pa0 = fixed a
                use pb0 = fixed b
                use pc0 = fixed c
                use pA = fixed bufA
                use pB = fixed bufB
                use pT = fixed bufT
                let packedA = Ptr.aligned64 pA
                let packedB = Ptr.aligned64 pB
                let tile = Ptr.aligned64 pT
                let aBase = NativePtr.add pa0 aOff
                let bBase = NativePtr.add pb0 bOff
                let cBase = NativePtr.add pc0 cOff
                let mutable jc = 0
                while jc < n do
                    let nc = min NC (n - jc)
                    let mutable pc = 0
                    while pc < k do
                        let kc = min KC (k - pc)
                        let betaEff = if pc = 0 then beta else 1.0f
                        packB transB bBase ldb pc kc jc nc packedB
                        let mutable ic = 0
                        while ic < m do
                            let mc = min MC (m - ic)
                            packA transA aBase lda ic mc pc kc packedA
                            let mutable jr = 0
                            while jr < nc do
                                let nr = min NR (nc - jr)
                                let pbPanel = NativePtr.add packedB (jr * kc)
                                let mutable ir = 0
                                while ir < mc do
                                    let mr = min MR (mc - ir)
                                    MicroKernel.run kc (NativePtr.add packedA (ir * kc)) pbPanel tile
                                    storeTile tile (NativePtr.add cBase ((ic + ir) * ldc + jc + jr)) ldc mr nr alpha betaEff
                                    ir <- ir + MR
                                jr <- jr + NR
                            ic <- ic + MC
                        pc <- pc + KC
                    jc <- jc + NC

    /// Exact float64 GEMM, plain scalar loops (for gradient checks, not speed).
    let dgemmSerial (transA: bool) (transB: bool) (m: int) (n: int) (k: int) (alpha: float)
                    (a: float[]) (aOff: int) (lda: int) (b: float[]) (bOff: int) (ldb: int)
                    (beta: float) (c: float[]) (cOff: int) (ldc: int) =
        let sa = if transA then 1 else lda
        let ka = if transA then lda else 1
        let kb = if transB then 1 else ldb
        let sb = if transB then ldb else 1
        for i in 0 .. m - 1 do
            for j in 0 .. n - 1 do
                let mutable s = 0.0
                let mutable ia = aOff + i * sa
                let mutable ib = bOff + j * sb
                for _ in 0 .. k - 1 do
                    s <- s + a.[ia] * b.[ib]
                    ia <- ia + ka
                    ib <- ib + kb
                let ci = cOff + i * ldc + j
                c.[ci] <- if beta = 0.0 then alpha * s else alpha * s + beta * c.[ci]

    /// Array length, or -1 for null (so the checks can name a missing operand).
    let lengthOrNeg (a: 'T[]) = if isNull (box a) then -1 else a.Length

    /// Validates the extents of a GEMM call so a bad offset or stride fails with a clear message
    /// instead of corrupting memory (the f32 engine uses raw pointers).
    let check (name: string) (transA: bool) (transB: bool) (m: int) (n: int) (k: int)
              (aLen: int) (aOff: int) (lda: int) (bLen: int) (bOff: int) (ldb: int) (cLen: int) (cOff: int) (ldc: int) =
        if m < 0 || n < 0 || k < 0 then
            invalidArg "m,n,k" (sprintf "%s: negative size m=%d n=%d k=%d" name m n k)
        let need (what: string) (len: int) (off: int) (ld: int) (rows: int) (cols: int) =
            if rows > 0 && cols > 0 then
                if off < 0 then invalidArg what (sprintf "%s: %s offset %d is negative" name what off)
                if ld < cols then
                    invalidArg what (sprintf "%s: %s stride %d is smaller than its row width %d (stored %d×%d)" name what ld cols rows cols)
                let last = int64 off + int64 (rows - 1) * int64 ld + int64 cols
                if last > int64 len then
                    invalidArg what (sprintf "%s: %s (stored %d×%d, offset %d, stride %d) needs %d elements but the array has %d" name what rows cols off ld last len)
        // stored shapes: A is m×k (or k×m if transposed), B is k×n (or n×k)
        if m > 0 && n > 0 then
            if aLen < 0 then nullArg (sprintf "%s: a is null" name)
            if bLen < 0 then nullArg (sprintf "%s: b is null" name)
            if cLen < 0 then nullArg (sprintf "%s: c is null" name)
            if transA then need "a" aLen aOff lda k m else need "a" aLen aOff lda m k
            if transB then need "b" bLen bOff ldb n k else need "b" bLen bOff ldb k n
            need "c" cLen cOff ldc m n

/// One multi-worker SGEMM: worker i computes a fixed range of C's columns (or rows).
[<Sealed; AllowNullLiteral>]
type internal SgemmJob() =
    inherit ThreadState.Job()
    [<ThreadStatic; DefaultValue>]
    static val mutable private cached : SgemmJob
    [<DefaultValue>] val mutable Ws : Scratch[]
    [<DefaultValue>] val mutable Workers : int
    [<DefaultValue>] val mutable SplitColumns : bool
    [<DefaultValue>] val mutable TransA : bool
    [<DefaultValue>] val mutable TransB : bool
    [<DefaultValue>] val mutable M : int
    [<DefaultValue>] val mutable N : int
    [<DefaultValue>] val mutable K : int
    [<DefaultValue>] val mutable Alpha : float32
    [<DefaultValue>] val mutable Beta : float32
    [<DefaultValue>] val mutable A : float32[]
    [<DefaultValue>] val mutable AOff : int
    [<DefaultValue>] val mutable Lda : int
    [<DefaultValue>] val mutable B : float32[]
    [<DefaultValue>] val mutable BOff : int
    [<DefaultValue>] val mutable Ldb : int
    [<DefaultValue>] val mutable C : float32[]
    [<DefaultValue>] val mutable COff : int
    [<DefaultValue>] val mutable Ldc : int

    /// This calling thread's job object.
    static member Current =
        if isNull SgemmJob.cached then SgemmJob.cached <- SgemmJob()
        SgemmJob.cached

    override this.Run(i) =
        let w = this.Workers
        if this.SplitColumns then
            let j0 = ThreadState.splitStart this.N w Packing.NR i
            let j1 = ThreadState.splitStart this.N w Packing.NR (i + 1)
            if j1 > j0 then
                let bo = if this.TransB then this.BOff + j0 * this.Ldb else this.BOff + j0
                GemmCore.sgemmSerial this.Ws.[i] this.TransA this.TransB this.M (j1 - j0) this.K this.Alpha
                    this.A this.AOff this.Lda this.B bo this.Ldb this.Beta this.C (this.COff + j0) this.Ldc
        else
            let i0 = ThreadState.splitStart this.M w Packing.MR i
            let i1 = ThreadState.splitStart this.M w Packing.MR (i + 1)
            if i1 > i0 then
                let ao = if this.TransA then this.AOff + i0 else this.AOff + i0 * this.Lda
                GemmCore.sgemmSerial this.Ws.[i] this.TransA this.TransB (i1 - i0) this.N this.K this.Alpha
                    this.A ao this.Lda this.B this.BOff this.Ldb this.Beta this.C (this.COff + i0 * this.Ldc) this.Ldc

    /// Drops array references so a cached job does not keep big arrays alive.
    member this.Clear() =
        this.A <- null
        this.B <- null
        this.C <- null
        this.Ws <- null

/// C[m×n] = alpha·op(A)·op(B) + beta·C, all row-major; op(X) = X or Xᵀ; lda/ldb/ldc are row strides.
/// beta = 0 overwrites C without reading it.
[<AbstractClass; Sealed>]
type Gemm =
    /// Multi-worker f32 GEMM into C; `workers` fixed ranges of columns (or rows when C is narrow).
    static member internal SgemmWith(workers: int, transA, transB, m, n, k, alpha, a: float32[], aOff, lda, b: float32[], bOff, ldb, beta, c: float32[], cOff, ldc) =
        let flops = float m * float n * float k
        let ws = Workspace.For workers
        let colTiles = (n + Packing.NR - 1) / Packing.NR
        let rowTiles = (m + Packing.MR - 1) / Packing.MR
        let w = if flops < 262144.0 then 1 else workers
        if w <= 1 || (colTiles < 2 && rowTiles < 2) then
            GemmCore.sgemmSerial ws.[0] transA transB m n k alpha a aOff lda b bOff ldb beta c cOff ldc
        else
            let job = SgemmJob.Current
            job.SplitColumns <- colTiles >= 2 * w || colTiles >= rowTiles
            job.Workers <- if job.SplitColumns then min w colTiles else min w rowTiles
            job.Ws <- ws
            job.TransA <- transA
            job.TransB <- transB
            job.M <- m
            job.N <- n
            job.K <- k
            job.Alpha <- alpha
            job.Beta <- beta
            job.A <- a
            job.AOff <- aOff
            job.Lda <- lda
            job.B <- b
            job.BOff <- bOff
            job.Ldb <- ldb
            job.C <- c
            job.COff <- cOff
            job.Ldc <- ldc
            try ThreadState.runJob job.Workers job
            finally job.Clear()

    /// float32 GEMM: C[m×n] = alpha·op(A)·op(B) + beta·C (row-major, packed AVX-512/AVX2 kernel).
    static member Sgemm(transA: bool, transB: bool, m: int, n: int, k: int, alpha: float32,
                        a: float32[], aOff: int, lda: int, b: float32[], bOff: int, ldb: int,
                        beta: float32, c: float32[], cOff: int, ldc: int) : unit =
        GemmCore.check "Gemm.Sgemm" transA transB m n k (GemmCore.lengthOrNeg a) aOff lda (GemmCore.lengthOrNeg b) bOff ldb (GemmCore.lengthOrNeg c) cOff ldc
        Gemm.SgemmWith(Threads.Count, transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc)

    /// float64 GEMM (exact scalar loops, for gradient checks): C = alpha·op(A)·op(B) + beta·C.
    static member Dgemm(transA: bool, transB: bool, m: int, n: int, k: int, alpha: float,
                        a: float[], aOff: int, lda: int, b: float[], bOff: int, ldb: int,
                        beta: float, c: float[], cOff: int, ldc: int) : unit =
        GemmCore.check "Gemm.Dgemm" transA transB m n k (GemmCore.lengthOrNeg a) aOff lda (GemmCore.lengthOrNeg b) bOff ldb (GemmCore.lengthOrNeg c) cOff ldc
        GemmCore.dgemmSerial transA transB m n k alpha a aOff lda b bOff ldb beta c cOff ldc
