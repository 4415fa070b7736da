namespace InitLab.Kernel

open System
open System.Numerics
open System.Numerics.Tensors
open InitLab.Kernel.Raw

module internal Kern =
    let inline isF32<'T> = typeof<'T> = typeof<float32>
    let inline f32 (a: 'T[]) = unbox<float32[]> (box a)
    let inline f64 (a: 'T[]) = unbox<float[]> (box a)

    let gemm<'T> (ta, tb, m, n, k, alpha: float, a: 'T[], aOff, lda, b: 'T[], bOff, ldb, beta: float, c: 'T[], cOff, ldc) =
        if m > 0 && n > 0 then
            if isF32<'T> then Gemm.Sgemm(ta, tb, m, n, k, float32 alpha, f32 a, aOff, lda, f32 b, bOff, ldb, float32 beta, f32 c, cOff, ldc)
            else Gemm.Dgemm(ta, tb, m, n, k, alpha, f64 a, aOff, lda, f64 b, bOff, ldb, beta, f64 c, cOff, ldc)
