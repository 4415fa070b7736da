namespace InitLab.Kernel.Raw

/// Unfolding of one NCHW image into convolution columns and the adjoint fold. Column matrix rows
/// are (channel, ky, kx), columns are output pixels (oy, ox); `ld` is its row stride so several
/// images can sit side by side in one matrix.
module internal Im2Col =

    /// col[(ch·kh+ky)·kw+kx, colOff + oy·ow+ox] = x[ch, oy·s-p+ky, ox·s-p+kx] (0 outside the image).
    let inline unfold (x: 'T[]) (xOff: int) (c: int) (h: int) (w: int) (kh: int) (kw: int) (s: int) (p: int)
                      (oh: int) (ow: int) (col: 'T[]) (colOff: int) (ld: int) =
        let zero = Unchecked.defaultof<'T>
        for ch in 0 .. c - 1 do
            let plane = xOff + ch * h * w
            for ky in 0 .. kh - 1 do
                for kx in 0 .. kw - 1 do
                    let row = colOff + ((ch * kh + ky) * kw + kx) * ld
                    // valid ox range: 0 <= ox·s - p + kx < w
                    let oxLo = min ow (if p - kx > 0 then (p - kx + s - 1) / s else 0)
                    let oxHi = max oxLo (min ow (if w + p - kx > 0 then (w + p - kx + s - 1) / s else 0))
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
                    let oxLo = min ow (if p - kx > 0 then (p - kx + s - 1) / s else 0)
                    let oxHi = max oxLo (min ow (if w + p - kx > 0 then (w + p - kx + s - 1) / s else 0))
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

    /// Same contract as Im2Col.unfold.
    let unfold (x: float32[]) (xOff: int) (c: int) (h: int) (w: int) (kh: int) (kw: int) (s: int) (p: int)
               (oh: int) (ow: int) (col: float32[]) (colOff: int) (ld: int) =
        use px = fixed x
        use pc = fixed col
        for ch in 0 .. c - 1 do
            let plane = NativePtr.add px (xOff + ch * h * w)
            for ky in 0 .. kh - 1 do
                for kx in 0 .. kw - 1 do
                    let row = NativePtr.add pc (colOff + ((ch * kh + ky) * kw + kx) * ld)
                    let oxLo = min ow (if p - kx > 0 then (p - kx + s - 1) / s else 0)
                    let oxHi = max oxLo (min ow (if w + p - kx > 0 then (w + p - kx + s - 1) / s else 0))
                    for oy in 0 .. oh - 1 do
                        let iy = oy * s - p + ky
                        let dst = NativePtr.add row (oy * ow)
                        if iy < 0 || iy >= h then
                            for ox in 0 .. ow - 1 do NativePtr.set dst ox 0.0f
                        else
                            let src = NativePtr.add plane (iy * w - p + kx)
                            for ox in 0 .. oxLo - 1 do NativePtr.set dst ox 0.0f
                            if s = 1 then copySpan (NativePtr.add src oxLo) (NativePtr.add dst oxLo) (oxHi - oxLo)
                            else
                                for ox in oxLo .. oxHi - 1 do NativePtr.set dst ox (NativePtr.get src (ox * s))
                            for ox in oxHi .. ow - 1 do NativePtr.set dst ox 0.0f

    /// Same contract as Im2Col.fold.
    let fold (col: float32[]) (colOff: int) (ld: int) (c: int) (h: int) (w: int) (kh: int) (kw: int) (s: int) (p: int)
             (oh: int) (ow: int) (dx: float32[]) (dxOff: int) =
        use pc = fixed col
        use px = fixed dx
        for ch in 0 .. c - 1 do
            let plane = NativePtr.add px (dxOff + ch * h * w)
            for ky in 0 .. kh - 1 do
                for kx in 0 .. kw - 1 do
                    let row = NativePtr.add pc (colOff + ((ch * kh + ky) * kw + kx) * ld)
                    let oxLo = min ow (if p - kx > 0 then (p - kx + s - 1) / s else 0)
                    let oxHi = max oxLo (min ow (if w + p - kx > 0 then (w + p - kx + s - 1) / s else 0))
                    for oy in 0 .. oh - 1 do
                        let iy = oy * s - p + ky
                        if iy >= 0 && iy < h then
                            let src = NativePtr.add row (oy * ow)
                            let dst = NativePtr.add plane (iy * w - p + kx)
                            if s = 1 then addSpan (NativePtr.add src oxLo) (NativePtr.add dst oxLo) (oxHi - oxLo)
                            else
                                for ox in oxLo .. oxHi - 1 do
                                    NativePtr.set dst (ox * s) (NativePtr.get dst (ox * s) + NativePtr.get src ox)
