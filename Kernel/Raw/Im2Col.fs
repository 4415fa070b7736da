namespace InitLab.Kernel.Raw

/// Unfolding of one NCHW image into convolution columns and the adjoint fold. Column matrix rows
/// are (channel, ky, kx), columns are output pixels (oy, ox); `ld` is its row stride so several
/// images can sit side by side in one matrix.
module internal Im2Col =

    /// Valid output range [lo, hi) along one axis for kernel offset k: 0 <= o·s - p + k < extent
    /// (rows with h and ky, columns with w and kx). Shared by both precisions' unfold and fold.
    let inline validRange (extent: int) (s: int) (p: int) (k: int) (outSize: int) =
        let lo = min outSize (if p - k > 0 then (p - k + s - 1) / s else 0)
        let hi = max lo (min outSize (if extent + p - k > 0 then (extent + p - k + s - 1) / s else 0))
        lo, hi

    /// col[(ch·kh+ky)·kw+kx, colOff + oy·ow+ox] = x[ch, oy·s-p+ky, ox·s-p+kx] (0 outside the image).
    let inline unfold (x: 'T[]) (xOff: int) (c: int) (h: int) (w: int) (kh: int) (kw: int) (s: int) (p: int)
                      (oh: int) (ow: int) (col: 'T[]) (colOff: int) (ld: int) =
        let zero = Unchecked.defaultof<'T>
        for ch in 0 .. c - 1 do
            let plane = xOff + ch * h * w
            for ky in 0 .. kh - 1 do
                for kx in 0 .. kw - 1 do
                    let row = colOff + ((ch * kh + ky) * kw + kx) * ld
                    let oxLo, oxHi = validRange w s p kx ow
                    for oy in 0 .. oh - 1 do
                        let iy = oy * s - p + ky
                        let dst = row + oy * ow
                        if iy < 0 || iy >= h then
                            for ox in 0 .. ow - 1 do col.[dst + ox] <- zero
                        else
                            let src = plane + iy * w - p + kx
                            for ox in 0 .. oxLo - 1 do col.[dst + ox] <- zero
                            if s = 1 then
                                if oxHi > oxLo then System.Array.Copy(x, src + oxLo, col, dst + oxLo, oxHi - oxLo)
                            else
                                for ox in oxLo .. oxHi - 1 do col.[dst + ox] <- x.[src + ox * s]
                            for ox in oxHi .. ow - 1 do col.[dst + ox] <- zero

    /// Adjoint of unfold: dx[ch, iy, ix] += Σ col entries that were copied from (ch, iy, ix).
    let inline fold (col: 'T[]) (colOff: int) (ld: int) (c: int) (h: int) (w: int) (kh: int) (kw: int) (s: int) (p: int)
                    (oh: int) (ow: int) (dx: 'T[]) (dxOff: int) =
        for ch in 0 .. c - 1 do
            let plane = dxOff + ch * h * w
            for ky in 0 .. kh - 1 do
                for kx in 0 .. kw - 1 do
                    let row = colOff + ((ch * kh + ky) * kw + kx) * ld
                    let oxLo, oxHi = validRange w s p kx ow
                    for oy in 0 .. oh - 1 do
                        let iy = oy * s - p + ky
                        if iy >= 0 && iy < h then
                            let src = row + oy * ow
                            let dst = plane + iy * w - p + kx
                            for ox in oxLo .. oxHi - 1 do
                                dx.[dst + ox * s] <- dx.[dst + ox * s] + col.[src + ox]

/// float32 unfold/fold over raw pointers (no bounds checks; callers validated the shapes).
module internal Im2Col32 =
    open System.Runtime.Intrinsics
    open Microsoft.FSharp.NativeInterop

    #nowarn "9"

    let inline private copySpan (src: nativeptr<float32>) (dst: nativeptr<float32>) (len: int) =
        let mutable i = 0
        while i + 16 <= len do
            Vector512.Store(Vector512.Load(NativePtr.add src i), NativePtr.add dst i)
            i <- i + 16
        while i + 8 <= len do
            Vector256.Store(Vector256.Load(NativePtr.add src i), NativePtr.add dst i)
            i <- i + 8
        while i < len do
            NativePtr.set dst i (NativePtr.get src i)
            i <- i + 1

    let inline private addSpan (src: nativeptr<float32>) (dst: nativeptr<float32>) (len: int) =
        let mutable i = 0
        while i + 16 <= len do
            Vector512.Store(Vector512.Load(NativePtr.add dst i) + Vector512.Load(NativePtr.add src i), NativePtr.add dst i)
            i <- i + 16
        while i + 8 <= len do
            Vector256.Store(Vector256.Load(NativePtr.add dst i) + Vector256.Load(NativePtr.add src i), NativePtr.add dst i)
            i <- i + 8
        while i < len do
            NativePtr.set dst i (NativePtr.get dst i + NativePtr.get src i)
            i <- i + 1

    let inline private zero (dst: nativeptr<float32>) (len: int) =
        for i in 0 .. len - 1 do NativePtr.set dst i 0.0f

    /// Same contract as Im2Col.unfold. Padding rows/columns are zero-filled in bulk; the interior
    /// is a strided 2-D copy with a one-vector fast path (ow = 8, e.g. LeNet conv2).
    let unfold (x: float32[]) (xOff: int) (c: int) (h: int) (w: int) (kh: int) (kw: int) (s: int) (p: int)
               (oh: int) (ow: int) (col: float32[]) (colOff: int) (ld: int) =
        use px = fixed x
        use pc = fixed col
        for ch in 0 .. c - 1 do
            let plane = NativePtr.add px (xOff + ch * h * w)
            for ky in 0 .. kh - 1 do
                let oyLo, oyHi = Im2Col.validRange h s p ky oh
                for kx in 0 .. kw - 1 do
                    let row = NativePtr.add pc (colOff + ((ch * kh + ky) * kw + kx) * ld)
                    let oxLo, oxHi = Im2Col.validRange w s p kx ow
                    let len = oxHi - oxLo
                    zero row (oyLo * ow)
                    zero (NativePtr.add row (oyHi * ow)) ((oh - oyHi) * ow)
                    // first source element of output (oyLo, oxLo)
                    let src0 = NativePtr.add plane ((oyLo * s - p + ky) * w + oxLo * s - p + kx)
                    let dst0 = NativePtr.add row (oyLo * ow + oxLo)
                    if s = 1 && len = 8 && ow = 8 then
                        for oy in 0 .. oyHi - oyLo - 1 do
                            Vector256.Store(Vector256.Load(NativePtr.add src0 (oy * w)), NativePtr.add dst0 (oy * 8))
                    else
                        for oy in 0 .. oyHi - oyLo - 1 do
                            let dstRow = NativePtr.add row ((oyLo + oy) * ow)
                            zero dstRow oxLo
                            zero (NativePtr.add dstRow oxHi) (ow - oxHi)
                            let src = NativePtr.add src0 (oy * s * w)
                            let dst = NativePtr.add dst0 (oy * ow)
                            if s = 1 then copySpan src dst len
                            else
                                for ox in 0 .. len - 1 do NativePtr.set dst ox (NativePtr.get src (ox * s))

    /// Same contract as Im2Col.fold.
    let fold (col: float32[]) (colOff: int) (ld: int) (c: int) (h: int) (w: int) (kh: int) (kw: int) (s: int) (p: int)
             (oh: int) (ow: int) (dx: float32[]) (dxOff: int) =
        use pc = fixed col
        use px = fixed dx
        for ch in 0 .. c - 1 do
            let plane = NativePtr.add px (dxOff + ch * h * w)
            for ky in 0 .. kh - 1 do
                let oyLo, oyHi = Im2Col.validRange h s p ky oh
                for kx in 0 .. kw - 1 do
                    let row = NativePtr.add pc (colOff + ((ch * kh + ky) * kw + kx) * ld)
                    let oxLo, oxHi = Im2Col.validRange w s p kx ow
                    let len = oxHi - oxLo
                    let dst0 = NativePtr.add plane ((oyLo * s - p + ky) * w + oxLo * s - p + kx)
                    let src0 = NativePtr.add row (oyLo * ow + oxLo)
                    if s = 1 && len = 8 && ow = 8 then
                        for oy in 0 .. oyHi - oyLo - 1 do
                            let d = NativePtr.add dst0 (oy * w)
                            Vector256.Store(Vector256.Load d + Vector256.Load(NativePtr.add src0 (oy * 8)), d)
                    else
                        for oy in 0 .. oyHi - oyLo - 1 do
                            let src = NativePtr.add src0 (oy * ow)
                            let dst = NativePtr.add dst0 (oy * s * w)
                            if s = 1 then addSpan src dst len
                            else
                                for ox in 0 .. len - 1 do
                                    NativePtr.set dst (ox * s) (NativePtr.get dst (ox * s) + NativePtr.get src ox)
