namespace InitLab.Kernel.Raw

open System.Runtime.Intrinsics
open System.Runtime.CompilerServices
open Microsoft.FSharp.NativeInterop

#nowarn "9"

/// Register-blocked MR×NR (10×32) float32 micro-kernels over packed panels. They write the raw
/// product tile (row-major, 32 floats per row) to `t`; the caller applies alpha/beta and edges.
module internal MicroKernel =

    /// AVX-512 path: 20 accumulators of Vector512<float32>.
    [<MethodImpl(MethodImplOptions.AggressiveOptimization)>]
    let kernel512 (kc: int) (pa: nativeptr<float32>) (pb: nativeptr<float32>) (t: nativeptr<float32>) =
        let mutable c00 = Vector512<float32>.Zero
        let mutable c01 = Vector512<float32>.Zero
        let mutable c10 = Vector512<float32>.Zero
        let mutable c11 = Vector512<float32>.Zero
        let mutable c20 = Vector512<float32>.Zero
        let mutable c21 = Vector512<float32>.Zero
        let mutable c30 = Vector512<float32>.Zero
        let mutable c31 = Vector512<float32>.Zero
        let mutable c40 = Vector512<float32>.Zero
        let mutable c41 = Vector512<float32>.Zero
        let mutable c50 = Vector512<float32>.Zero
        let mutable c51 = Vector512<float32>.Zero
        let mutable c60 = Vector512<float32>.Zero
        let mutable c61 = Vector512<float32>.Zero
        let mutable c70 = Vector512<float32>.Zero
        let mutable c71 = Vector512<float32>.Zero
        let mutable c80 = Vector512<float32>.Zero
        let mutable c81 = Vector512<float32>.Zero
        let mutable c90 = Vector512<float32>.Zero
        let mutable c91 = Vector512<float32>.Zero
        let mutable a = pa
        let mutable b = pb
        for _ in 1 .. kc do
            let b0 = Vector512.Load b
            let b1 = Vector512.Load(NativePtr.add b 16)
            let x0 = Vector512.Create(NativePtr.get a 0)
            c00 <- Vector512.FusedMultiplyAdd(x0, b0, c00)
            c01 <- Vector512.FusedMultiplyAdd(x0, b1, c01)
            let x1 = Vector512.Create(NativePtr.get a 1)
            c10 <- Vector512.FusedMultiplyAdd(x1, b0, c10)
            c11 <- Vector512.FusedMultiplyAdd(x1, b1, c11)
            let x2 = Vector512.Create(NativePtr.get a 2)
            c20 <- Vector512.FusedMultiplyAdd(x2, b0, c20)
            c21 <- Vector512.FusedMultiplyAdd(x2, b1, c21)
            let x3 = Vector512.Create(NativePtr.get a 3)
            c30 <- Vector512.FusedMultiplyAdd(x3, b0, c30)
            c31 <- Vector512.FusedMultiplyAdd(x3, b1, c31)
            let x4 = Vector512.Create(NativePtr.get a 4)
            c40 <- Vector512.FusedMultiplyAdd(x4, b0, c40)
            c41 <- Vector512.FusedMultiplyAdd(x4, b1, c41)
            let x5 = Vector512.Create(NativePtr.get a 5)
            c50 <- Vector512.FusedMultiplyAdd(x5, b0, c50)
            c51 <- Vector512.FusedMultiplyAdd(x5, b1, c51)
            let x6 = Vector512.Create(NativePtr.get a 6)
            c60 <- Vector512.FusedMultiplyAdd(x6, b0, c60)
            c61 <- Vector512.FusedMultiplyAdd(x6, b1, c61)
            let x7 = Vector512.Create(NativePtr.get a 7)
            c70 <- Vector512.FusedMultiplyAdd(x7, b0, c70)
            c71 <- Vector512.FusedMultiplyAdd(x7, b1, c71)
            let x8 = Vector512.Create(NativePtr.get a 8)
            c80 <- Vector512.FusedMultiplyAdd(x8, b0, c80)
            c81 <- Vector512.FusedMultiplyAdd(x8, b1, c81)
            let x9 = Vector512.Create(NativePtr.get a 9)
            c90 <- Vector512.FusedMultiplyAdd(x9, b0, c90)
            c91 <- Vector512.FusedMultiplyAdd(x9, b1, c91)
            a <- NativePtr.add a 10
            b <- NativePtr.add b 32
        Vector512.Store(c00, t)
        Vector512.Store(c01, NativePtr.add t 16)
        Vector512.Store(c10, NativePtr.add t 32)
        Vector512.Store(c11, NativePtr.add t 48)
        Vector512.Store(c20, NativePtr.add t 64)
        Vector512.Store(c21, NativePtr.add t 80)
        Vector512.Store(c30, NativePtr.add t 96)
        Vector512.Store(c31, NativePtr.add t 112)
        Vector512.Store(c40, NativePtr.add t 128)
        Vector512.Store(c41, NativePtr.add t 144)
        Vector512.Store(c50, NativePtr.add t 160)
        Vector512.Store(c51, NativePtr.add t 176)
        Vector512.Store(c60, NativePtr.add t 192)
        Vector512.Store(c61, NativePtr.add t 208)
        Vector512.Store(c70, NativePtr.add t 224)
        Vector512.Store(c71, NativePtr.add t 240)
        Vector512.Store(c80, NativePtr.add t 256)
        Vector512.Store(c81, NativePtr.add t 272)
        Vector512.Store(c90, NativePtr.add t 288)
        Vector512.Store(c91, NativePtr.add t 304)

    /// Portable path (Vector256, 16 registers): two rows at a time, 8 accumulators per pass.
    [<MethodImpl(MethodImplOptions.AggressiveOptimization)>]
    let kernel256 (kc: int) (pa: nativeptr<float32>) (pb: nativeptr<float32>) (t: nativeptr<float32>) =
        for r in 0 .. 2 .. 9 do
            let mutable c00 = Vector256<float32>.Zero
            let mutable c01 = Vector256<float32>.Zero
            let mutable c02 = Vector256<float32>.Zero
            let mutable c03 = Vector256<float32>.Zero
            let mutable c10 = Vector256<float32>.Zero
            let mutable c11 = Vector256<float32>.Zero
            let mutable c12 = Vector256<float32>.Zero
            let mutable c13 = Vector256<float32>.Zero
            let mutable a = NativePtr.add pa r
            let mutable b = pb
            for _ in 1 .. kc do
                let b0 = Vector256.Load b
                let b1 = Vector256.Load(NativePtr.add b 8)
                let b2 = Vector256.Load(NativePtr.add b 16)
                let b3 = Vector256.Load(NativePtr.add b 24)
                let x0 = Vector256.Create(NativePtr.get a 0)
                let x1 = Vector256.Create(NativePtr.get a 1)
                c00 <- Vector256.FusedMultiplyAdd(x0, b0, c00)
                c01 <- Vector256.FusedMultiplyAdd(x0, b1, c01)
                c02 <- Vector256.FusedMultiplyAdd(x0, b2, c02)
                c03 <- Vector256.FusedMultiplyAdd(x0, b3, c03)
                c10 <- Vector256.FusedMultiplyAdd(x1, b0, c10)
                c11 <- Vector256.FusedMultiplyAdd(x1, b1, c11)
                c12 <- Vector256.FusedMultiplyAdd(x1, b2, c12)
                c13 <- Vector256.FusedMultiplyAdd(x1, b3, c13)
                a <- NativePtr.add a 10
                b <- NativePtr.add b 32
            let row = NativePtr.add t (r * 32)
            Vector256.Store(c00, row)
            Vector256.Store(c01, NativePtr.add row 8)
            Vector256.Store(c02, NativePtr.add row 16)
            Vector256.Store(c03, NativePtr.add row 24)
            Vector256.Store(c10, NativePtr.add row 32)
            Vector256.Store(c11, NativePtr.add row 40)
            Vector256.Store(c12, NativePtr.add row 48)
            Vector256.Store(c13, NativePtr.add row 56)

    let useAvx512 = Vector512.IsHardwareAccelerated

    let inline run (kc: int) (pa: nativeptr<float32>) (pb: nativeptr<float32>) (t: nativeptr<float32>) =
        if useAvx512 then kernel512 kc pa pb t else kernel256 kc pa pb t
