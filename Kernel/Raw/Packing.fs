namespace InitLab.Kernel.Raw

open System.Runtime.Intrinsics
open System.Runtime.Intrinsics.X86
open System.Runtime.CompilerServices
open Microsoft.FSharp.NativeInterop

#nowarn "9"

/// Packing of GEMM operands into the micro-kernel's panel layout (BLIS shape): A as MR-row panels
/// (for each k, MR consecutive values), B as NR-column panels (for each k, NR consecutive values).
/// Rows/columns past the matrix edge are zero so the micro-kernel never branches.
module internal Packing =
    [<Literal>]
    let MR = 10
    [<Literal>]
    let NR = 32

    let private canTranspose = Avx.IsSupported

    /// dst[j·dstStride + i] = src[i·srcStride + j] for an 8×8 block (AVX unpack/shuffle/permute).
    let inline private transpose8x8 (src: nativeptr<float32>) (srcStride: int) (dst: nativeptr<float32>) (dstStride: int) =
        let r0 = Vector256.Load src
        let r1 = Vector256.Load(NativePtr.add src srcStride)
        let r2 = Vector256.Load(NativePtr.add src (2 * srcStride))
        let r3 = Vector256.Load(NativePtr.add src (3 * srcStride))
        let r4 = Vector256.Load(NativePtr.add src (4 * srcStride))
        let r5 = Vector256.Load(NativePtr.add src (5 * srcStride))
        let r6 = Vector256.Load(NativePtr.add src (6 * srcStride))
        let r7 = Vector256.Load(NativePtr.add src (7 * srcStride))
        let t0 = Avx.UnpackLow(r0, r1)
        let t1 = Avx.UnpackHigh(r0, r1)
        let t2 = Avx.UnpackLow(r2, r3)
        let t3 = Avx.UnpackHigh(r2, r3)
        let t4 = Avx.UnpackLow(r4, r5)
        let t5 = Avx.UnpackHigh(r4, r5)
        let t6 = Avx.UnpackLow(r6, r7)
        let t7 = Avx.UnpackHigh(r6, r7)
        let u0 = Avx.Shuffle(t0, t2, 0x44uy)
        let u1 = Avx.Shuffle(t0, t2, 0xEEuy)
        let u2 = Avx.Shuffle(t1, t3, 0x44uy)
        let u3 = Avx.Shuffle(t1, t3, 0xEEuy)
        let u4 = Avx.Shuffle(t4, t6, 0x44uy)
        let u5 = Avx.Shuffle(t4, t6, 0xEEuy)
        let u6 = Avx.Shuffle(t5, t7, 0x44uy)
        let u7 = Avx.Shuffle(t5, t7, 0xEEuy)
        Vector256.Store(Avx.Permute2x128(u0, u4, 0x20uy), dst)
        Vector256.Store(Avx.Permute2x128(u1, u5, 0x20uy), NativePtr.add dst dstStride)
        Vector256.Store(Avx.Permute2x128(u2, u6, 0x20uy), NativePtr.add dst (2 * dstStride))
        Vector256.Store(Avx.Permute2x128(u3, u7, 0x20uy), NativePtr.add dst (3 * dstStride))
        Vector256.Store(Avx.Permute2x128(u0, u4, 0x31uy), NativePtr.add dst (4 * dstStride))
        Vector256.Store(Avx.Permute2x128(u1, u5, 0x31uy), NativePtr.add dst (5 * dstStride))
        Vector256.Store(Avx.Permute2x128(u2, u6, 0x31uy), NativePtr.add dst (6 * dstStride))
        Vector256.Store(Avx.Permute2x128(u3, u7, 0x31uy), NativePtr.add dst (7 * dstStride))

    /// Fills lane `lane` of a panel whose stride per k is `stride`: kc values read contiguously from
    /// `src`, or zeros for a lane past the matrix edge (`src` is then never read).
    let inline private packLane (present: bool) (src: nativeptr<float32>) (kc: int) (d: nativeptr<float32>) (stride: int) (lane: int) =
        if present then
            for p in 0 .. kc - 1 do
                NativePtr.set d (p * stride + lane) (NativePtr.get src p)
        else
            for p in 0 .. kc - 1 do
                NativePtr.set d (p * stride + lane) 0.0f

    /// Packs op(A)[i0 .. i0+mc-1, p0 .. p0+kc-1]; `a` points at op(A)[0,0] of the whole matrix.
    [<MethodImpl(MethodImplOptions.AggressiveOptimization)>]
    let packA (transA: bool) (a: nativeptr<float32>) (lda: int) (i0: int) (mc: int) (p0: int) (kc: int) (dst: nativeptr<float32>) =
        let mutable d = dst
        let mutable i = 0
        while i < mc do
            let mr = min MR (mc - i)
            if not transA && mr = MR && canTranspose then
                // rows are contiguous in k: 8×8 transposes for rows 0-7, rows 8-9 scalar
                let src = NativePtr.add a ((i0 + i) * lda + p0)
                let mutable p = 0
                while p + 8 <= kc do
                    transpose8x8 (NativePtr.add src p) lda (NativePtr.add d (p * MR)) MR
                    p <- p + 8
                for p in p .. kc - 1 do
                    for r in 0 .. 7 do
                        NativePtr.set d (p * MR + r) (NativePtr.get src (r * lda + p))
                let src8 = NativePtr.add src (8 * lda)
                let src9 = NativePtr.add src (9 * lda)
                for p in 0 .. kc - 1 do
                    NativePtr.set d (p * MR + 8) (NativePtr.get src8 p)
                    NativePtr.set d (p * MR + 9) (NativePtr.get src9 p)
            elif not transA then
                // rows are contiguous in k: read each row, write with stride MR
                for r in 0 .. MR - 1 do
                    packLane (r < mr) (NativePtr.add a ((i0 + i + r) * lda + p0)) kc d MR r
            else
                // op(A)[i,p] = A[p,i]: MR consecutive values per k
                for p in 0 .. kc - 1 do
                    let src = NativePtr.add a ((p0 + p) * lda + i0 + i)
                    let dp = NativePtr.add d (p * MR)
                    if mr = MR then
                        Vector256.Store(Vector256.Load src, dp)
                        NativePtr.set dp 8 (NativePtr.get src 8)
                        NativePtr.set dp 9 (NativePtr.get src 9)
                    else
                        for r in 0 .. MR - 1 do
                            NativePtr.set dp r (if r < mr then NativePtr.get src r else 0.0f)
            d <- NativePtr.add d (MR * kc)
            i <- i + MR

    /// Packs op(B)[p0 .. p0+kc-1, j0 .. j0+nc-1]; `b` points at op(B)[0,0] of the whole matrix.
    [<MethodImpl(MethodImplOptions.AggressiveOptimization)>]
    let packB (transB: bool) (b: nativeptr<float32>) (ldb: int) (p0: int) (kc: int) (j0: int) (nc: int) (dst: nativeptr<float32>) =
        let mutable d = dst
        let mutable j = 0
        while j < nc do
            let nr = min NR (nc - j)
            if not transB then
                for p in 0 .. kc - 1 do
                    let src = NativePtr.add b ((p0 + p) * ldb + j0 + j)
                    let dp = NativePtr.add d (p * NR)
                    if nr = NR then
                        Vector512.Store(Vector512.Load src, dp)
                        Vector512.Store(Vector512.Load(NativePtr.add src 16), NativePtr.add dp 16)
                    else
                        for c in 0 .. NR - 1 do
                            NativePtr.set dp c (if c < nr then NativePtr.get src c else 0.0f)
            elif canTranspose && nr >= 8 then
                // op(B)[p,j] = B[j,p]: 8×8 transposes of full (column, k) blocks, scalar rest
                let full = nr / 8 * 8
                for cb in 0 .. 8 .. full - 1 do
                    let src = NativePtr.add b ((j0 + j + cb) * ldb + p0)
                    let mutable p = 0
                    while p + 8 <= kc do
                        transpose8x8 (NativePtr.add src p) ldb (NativePtr.add d (p * NR + cb)) NR
                        p <- p + 8
                    for p in p .. kc - 1 do
                        for c in 0 .. 7 do
                            NativePtr.set d (p * NR + cb + c) (NativePtr.get src (c * ldb + p))
                for c in full .. NR - 1 do
                    packLane (c < nr) (NativePtr.add b ((j0 + j + c) * ldb + p0)) kc d NR c
            else
                // op(B)[p,j] = B[j,p]: column j of op(B) is contiguous
                for c in 0 .. NR - 1 do
                    packLane (c < nr) (NativePtr.add b ((j0 + j + c) * ldb + p0)) kc d NR c
            d <- NativePtr.add d (NR * kc)
            j <- j + NR
