namespace InitLab.Kernel.Raw

open System.Runtime.Intrinsics
open System.Runtime.CompilerServices
open Microsoft.FSharp.NativeInterop

#nowarn "9"

/// Packing of GEMM operands into the micro-kernel's panel layout (BLIS shape): A as MR-row panels
/// (for each k, MR consecutive values), B as NR-column panels (for each k, NR consecutive values).
/// Rows/columns past the matrix edge are zero so the micro-kernel never branches.
module internal Packing =
    [<Literal>]
    let MR = 8
    [<Literal>]
    let NR = 32

    /// Packs op(A)[i0 .. i0+mc-1, p0 .. p0+kc-1]; `a` points at op(A)[0,0] of the whole matrix.
    [<MethodImpl(MethodImplOptions.AggressiveOptimization)>]
    let packA (transA: bool) (a: nativeptr<float32>) (lda: int) (i0: int) (mc: int) (p0: int) (kc: int) (dst: nativeptr<float32>) =
        let mutable d = dst
        let mutable i = 0
        while i < mc do
            let mr = min MR (mc - i)
            if not transA then
                // rows are contiguous in k: read each row, write with stride MR
                for r in 0 .. MR - 1 do
                    if r < mr then
                        let src = NativePtr.add a ((i0 + i + r) * lda + p0)
                        for p in 0 .. kc - 1 do
                            NativePtr.set d (p * MR + r) (NativePtr.get src p)
                    else
                        for p in 0 .. kc - 1 do
                            NativePtr.set d (p * MR + r) 0.0f
            else
                // op(A)[i,p] = A[p,i]: MR consecutive values per k
                for p in 0 .. kc - 1 do
                    let src = NativePtr.add a ((p0 + p) * lda + i0 + i)
                    let dp = NativePtr.add d (p * MR)
                    if mr = MR then
                        Vector256.Store(Vector256.Load src, dp)
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
            else
                // op(B)[p,j] = B[j,p]: column j of op(B) is contiguous
                for c in 0 .. NR - 1 do
                    if c < nr then
                        let src = NativePtr.add b ((j0 + j + c) * ldb + p0)
                        for p in 0 .. kc - 1 do
                            NativePtr.set d (p * NR + c) (NativePtr.get src p)
                    else
                        for p in 0 .. kc - 1 do
                            NativePtr.set d (p * NR + c) 0.0f
            d <- NativePtr.add d (NR * kc)
            j <- j + NR
