namespace InitLab.Kernel.Raw

open System
open System.Runtime.Intrinsics
open System.Runtime.Intrinsics.X86
open Microsoft.FSharp.NativeInterop

#nowarn "9"

/// Shape checks and loops shared by the float32 and float64 pooling members. Planes (image,
/// channel) are split statically across workers; every output depends on one plane only.
module internal PoolDriver =

    let check (name: string) (xLen: int) n c h w k stride =
        if xLen < 0 then nullArg (sprintf "%s: input array is null" name)
        if n < 1 || c < 1 || h < 1 || w < 1 then
            invalidArg "shape" (sprintf "%s: sizes must be positive, got n=%d c=%d h=%d w=%d" name n c h w)
        if k < 1 || stride < 1 then
            invalidArg "k" (sprintf "%s: kernel and stride must be >= 1, got k=%d stride=%d" name k stride)
        if k > h || k > w then
            invalidArg "k" (sprintf "%s: kernel %d is larger than the input %d×%d" name k h w)
        if xLen < n * c * h * w then
            invalidArg "x" (sprintf "%s: x has %d elements, expected at least n·c·h·w = %d·%d·%d·%d = %d" name xLen n c h w (n * c * h * w))
        // floor semantics (Caffe with no padding, PyTorch ceil_mode=false)
        struct ((h - k) / stride + 1, (w - k) / stride + 1)

    let checkOut (name: string) (what: string) (len: int) (expected: int) =
        if len < 0 then nullArg (sprintf "%s: %s is null" name what)
        if len < expected then
            invalidArg what (sprintf "%s: %s has %d elements, expected at least %d" name what len expected)

    /// `check`, then the output array (`outName`, n·c·oh·ow elements); returns (oh, ow).
    let checkWithOutput (name: string) (xLen: int) n c h w k stride (outName: string) (outLen: int) =
        let struct (oh, ow) = check name xLen n c h w k stride
        checkOut name outName outLen (n * c * oh * ow)
        struct (oh, ow)

    let inline planes (count: int) (body: int -> unit) =
        let workers = if count * 64 < 16384 then 1 else max 1 (min Threads.Count count)
        ThreadState.run workers (fun wi ->
            let p0 = ThreadState.splitStart count workers 1 wi
            let p1 = ThreadState.splitStart count workers 1 (wi + 1)
            for p in p0 .. p1 - 1 do body p)

    /// NaN wins (as in PyTorch); ties keep the first element in row-major window order.
    let inline maxForward (x: 'T[]) n c h w k stride (y: 'T[]) (argmax: int[]) oh ow =
        planes (n * c) (fun p ->
            let xo = p * h * w
            let yo = p * oh * ow
            for oy in 0 .. oh - 1 do
                for ox in 0 .. ow - 1 do
                    let mutable bi = xo + oy * stride * w + ox * stride
                    let mutable best = x.[bi]
                    for ky in 0 .. k - 1 do
                        let row = xo + (oy * stride + ky) * w + ox * stride
                        for kx in 0 .. k - 1 do
                            let v = x.[row + kx]
                            if v > best || (v <> v && best = best) then
                                best <- v
                                bi <- row + kx
                    y.[yo + oy * ow + ox] <- best
                    argmax.[yo + oy * ow + ox] <- bi)

    /// 1 if a > b else 0 without a branch: the JIT keeps float compares as jumps, and on random
    /// activations those mispredict ~half the time (measured 6× slower pooling).
    let inline private gt (a: float32) (b: float32) : int =
        -(Vector128.ToScalar(Vector128.AsInt32(Vector128.GreaterThan(Vector128.CreateScalarUnsafe a, Vector128.CreateScalarUnsafe b))))

    /// float32 max pooling of one plane over raw pointers (same semantics as maxForward).
    let maxPlane32 (x: float32[]) h w k stride (y: float32[]) (argmax: int[]) oh ow (p: int) =
            use px = fixed x
            use py = fixed y
            use pa = fixed argmax
            let xo = p * h * w
            let yo = p * oh * ow
            for oy in 0 .. oh - 1 do
                let yRow = NativePtr.add py (yo + oy * ow)
                let aRow = NativePtr.add pa (yo + oy * ow)
                let top = xo + oy * stride * w
                if k = 2 then
                    let mutable start = 0
                    if stride = 2 && Avx2.IsSupported then
                        // 8 outputs at once: even/odd columns of both rows, compare-selects
                        // (lanes come out in order 0 1 4 5 2 3 6 7 and are put back at the end)
                        let offs = Vector256.Create(0, 2, 8, 10, 4, 6, 12, 14)
                        let vw = Vector256.Create w
                        let mutable ox = 0
                        let mutable sawNaN = false
                        while not sawNaN && ox + 8 <= ow do
                            let r0 = NativePtr.add px (top + 2 * ox)
                            let r1 = NativePtr.add r0 w
                            let a0 = Vector256.Load r0
                            let a1 = Vector256.Load(NativePtr.add r0 8)
                            let b0 = Vector256.Load r1
                            let b1 = Vector256.Load(NativePtr.add r1 8)
                            let v0 = Avx.Shuffle(a0, a1, 0x88uy)
                            let v1 = Avx.Shuffle(a0, a1, 0xDDuy)
                            let v2 = Avx.Shuffle(b0, b1, 0x88uy)
                            let v3 = Avx.Shuffle(b0, b1, 0xDDuy)
                            let sum = v0 + v1 + v2 + v3
                            if Vector256.EqualsAll(sum, sum) then
                                let c1 = Vector256.GreaterThan(v1, v0)
                                let c3 = Vector256.GreaterThan(v3, v2)
                                let m01 = Vector256.ConditionalSelect(c1, v1, v0)
                                let m23 = Vector256.ConditionalSelect(c3, v3, v2)
                                let c = Vector256.GreaterThan(m23, m01)
                                let best = Vector256.ConditionalSelect(c, m23, m01)
                                let baseIdx = Vector256.Create(top + 2 * ox) + offs
                                let i01 = baseIdx - Vector256.AsInt32 c1
                                let i23 = baseIdx + vw - Vector256.AsInt32 c3
                                let idx = Vector256.ConditionalSelect(Vector256.AsInt32 c, i23, i01)
                                Vector256.Store(Vector256.AsSingle(Avx2.Permute4x64(Vector256.AsDouble best, 0xD8uy)), NativePtr.add yRow ox)
                                Vector256.Store(Vector256.AsInt32(Avx2.Permute4x64(Vector256.AsInt64 idx, 0xD8uy)), NativePtr.add aRow ox)
                                ox <- ox + 8
                            else
                                // NaN somewhere: the scalar loop below handles the rest exactly
                                sawNaN <- true
                        start <- ox
                    // branch-free selects: random data makes "is it bigger" unpredictable, and
                    // mispredictions dominated this loop; NaN (sum is NaN) takes the exact slow path
                    for ox in start .. ow - 1 do
                        let i0 = top + ox * stride
                        let v0 = NativePtr.get px i0
                        let v1 = NativePtr.get px (i0 + 1)
                        let v2 = NativePtr.get px (i0 + w)
                        let v3 = NativePtr.get px (i0 + w + 1)
                        if Single.IsNaN(v0 + v1 + v2 + v3) then
                            let mutable bi = i0
                            let mutable best = v0
                            for t in 1 .. 3 do
                                let j = i0 + (t >>> 1) * w + (t &&& 1)
                                let v = NativePtr.get px j
                                if v > best || (Single.IsNaN v && not (Single.IsNaN best)) then
                                    best <- v
                                    bi <- j
                            NativePtr.set yRow ox best
                            NativePtr.set aRow ox bi
                        else
                            // indices from compare results (setcc), values re-read from them
                            let i01 = i0 + gt v1 v0
                            let i23 = i0 + w + gt v3 v2
                            let m01 = NativePtr.get px i01
                            let m23 = NativePtr.get px i23
                            // ties keep the earlier element (top row wins over bottom row)
                            let bi = i01 + (i23 - i01) * gt m23 m01
                            NativePtr.set yRow ox (NativePtr.get px bi)
                            NativePtr.set aRow ox bi
                else
                    for ox in 0 .. ow - 1 do
                        let mutable bi = top + ox * stride
                        let mutable best = NativePtr.get px bi
                        for ky in 0 .. k - 1 do
                            let row = top + ky * w + ox * stride
                            for kx in 0 .. k - 1 do
                                let v = NativePtr.get px (row + kx)
                                if v > best || (Single.IsNaN v && not (Single.IsNaN best)) then
                                    best <- v
                                    bi <- row + kx
                        NativePtr.set yRow ox best
                        NativePtr.set aRow ox bi

    /// float32 max pooling as a cached job (the LeNet hot path: no per-call allocation).
    [<Sealed; AllowNullLiteral>]
    type MaxPoolJob32() =
        inherit ThreadState.Job()
        [<ThreadStatic; DefaultValue>]
        static val mutable private cached : MaxPoolJob32
        [<DefaultValue>] val mutable X : float32[]
        [<DefaultValue>] val mutable Y : float32[]
        [<DefaultValue>] val mutable Argmax : int[]
        [<DefaultValue>] val mutable Dims : struct (int * int * int * int * int * int * int * int)
        static member Current =
            if isNull MaxPoolJob32.cached then MaxPoolJob32.cached <- MaxPoolJob32()
            MaxPoolJob32.cached
        override this.Run(wi) =
            let struct (count, workers, h, w, k, stride, oh, ow) = this.Dims
            let p0 = ThreadState.splitStart count workers 1 wi
            let p1 = ThreadState.splitStart count workers 1 (wi + 1)
            for p in p0 .. p1 - 1 do maxPlane32 this.X h w k stride this.Y this.Argmax oh ow p

    let maxForward32 (x: float32[]) n c h w k stride (y: float32[]) (argmax: int[]) oh ow =
        let count = n * c
        let workers = if count * 64 < 16384 then 1 else max 1 (min Threads.Count count)
        let job = MaxPoolJob32.Current
        job.X <- x
        job.Y <- y
        job.Argmax <- argmax
        job.Dims <- struct (count, workers, h, w, k, stride, oh, ow)
        try ThreadState.runJob workers job
        finally
            job.X <- null
            job.Y <- null
            job.Argmax <- null

    let inline maxBackward (name: string) (dy: 'T[]) (argmax: int[]) (count: int) (dx: 'T[]) =
        if isNull (box dy) || isNull (box argmax) || isNull (box dx) then
            nullArg (sprintf "%s: dy, argmax and dx must not be null" name)
        if count < 0 || count > dy.Length || count > argmax.Length then
            invalidArg "count" (sprintf "%s: count %d exceeds dy (%d) or argmax (%d)" name count dy.Length argmax.Length)
        // serial scatter: overlapping windows may share a target element
        for i in 0 .. count - 1 do
            let t = argmax.[i]
            if t < 0 || t >= dx.Length then
                invalidArg "argmax" (sprintf "%s: argmax[%d] = %d is outside dx (%d elements)" name i t dx.Length)
            dx.[t] <- dx.[t] + dy.[i]

    let inline avgForward (x: 'T[]) n c h w k stride (y: 'T[]) oh ow (inv: 'T) =
        planes (n * c) (fun p ->
            let xo = p * h * w
            let yo = p * oh * ow
            for oy in 0 .. oh - 1 do
                for ox in 0 .. ow - 1 do
                    let mutable s = Unchecked.defaultof<'T>
                    for ky in 0 .. k - 1 do
                        let row = xo + (oy * stride + ky) * w + ox * stride
                        for kx in 0 .. k - 1 do s <- s + x.[row + kx]
                    y.[yo + oy * ow + ox] <- s * inv)

    let inline avgBackward (dy: 'T[]) n c h w k stride (dx: 'T[]) oh ow (inv: 'T) =
        planes (n * c) (fun p ->
            let xo = p * h * w
            let yo = p * oh * ow
            for oy in 0 .. oh - 1 do
                for ox in 0 .. ow - 1 do
                    let g = dy.[yo + oy * ow + ox] * inv
                    for ky in 0 .. k - 1 do
                        let row = xo + (oy * stride + ky) * w + ox * stride
                        for kx in 0 .. k - 1 do dx.[row + kx] <- dx.[row + kx] + g)

/// 2-D max and average pooling over NCHW planes, square kernel k, stride s, no padding, floor
/// output size oh = (h - k)/s + 1. Backward members ACCUMULATE into dx.
[<AbstractClass; Sealed>]
type Pool2d =
    /// y = window maxima; argmax[i] = flat index into x of the element chosen for y[i].
    static member MaxForward(x: float32[], n: int, c: int, h: int, w: int, k: int, stride: int, y: float32[], argmax: int[]) : unit =
        let struct (oh, ow) = PoolDriver.checkWithOutput "Pool2d.MaxForward" (GemmCore.lengthOrNeg x) n c h w k stride "y" (GemmCore.lengthOrNeg y)
        PoolDriver.checkOut "Pool2d.MaxForward" "argmax" (GemmCore.lengthOrNeg argmax) (n * c * oh * ow)
        PoolDriver.maxForward32 x n c h w k stride y argmax oh ow

    /// float64 max pooling.
    static member MaxForward(x: float[], n: int, c: int, h: int, w: int, k: int, stride: int, y: float[], argmax: int[]) : unit =
        let struct (oh, ow) = PoolDriver.checkWithOutput "Pool2d.MaxForward" (GemmCore.lengthOrNeg x) n c h w k stride "y" (GemmCore.lengthOrNeg y)
        PoolDriver.checkOut "Pool2d.MaxForward" "argmax" (GemmCore.lengthOrNeg argmax) (n * c * oh * ow)
        PoolDriver.maxForward x n c h w k stride y argmax oh ow

    /// dx[argmax[i]] += dy[i] for i < count.
    static member MaxBackward(dy: float32[], argmax: int[], count: int, dx: float32[]) : unit =
        PoolDriver.maxBackward "Pool2d.MaxBackward" dy argmax count dx

    /// float64 max-pool backward.
    static member MaxBackward(dy: float[], argmax: int[], count: int, dx: float[]) : unit =
        PoolDriver.maxBackward "Pool2d.MaxBackward" dy argmax count dx

    /// y = window means.
    static member AvgForward(x: float32[], n: int, c: int, h: int, w: int, k: int, stride: int, y: float32[]) : unit =
        let struct (oh, ow) = PoolDriver.checkWithOutput "Pool2d.AvgForward" (GemmCore.lengthOrNeg x) n c h w k stride "y" (GemmCore.lengthOrNeg y)
        PoolDriver.avgForward x n c h w k stride y oh ow (1.0f / float32 (k * k))

    /// float64 average pooling.
    static member AvgForward(x: float[], n: int, c: int, h: int, w: int, k: int, stride: int, y: float[]) : unit =
        let struct (oh, ow) = PoolDriver.checkWithOutput "Pool2d.AvgForward" (GemmCore.lengthOrNeg x) n c h w k stride "y" (GemmCore.lengthOrNeg y)
        PoolDriver.avgForward x n c h w k stride y oh ow (1.0 / float (k * k))

    /// dx += dy/(k·k) spread over each window; (n, c, h, w) is the INPUT shape.
    static member AvgBackward(dy: float32[], n: int, c: int, h: int, w: int, k: int, stride: int, dx: float32[]) : unit =
        let struct (oh, ow) = PoolDriver.checkWithOutput "Pool2d.AvgBackward" (GemmCore.lengthOrNeg dx) n c h w k stride "dy" (GemmCore.lengthOrNeg dy)
        PoolDriver.avgBackward dy n c h w k stride dx oh ow (1.0f / float32 (k * k))

    /// float64 average-pool backward.
    static member AvgBackward(dy: float[], n: int, c: int, h: int, w: int, k: int, stride: int, dx: float[]) : unit =
        let struct (oh, ow) = PoolDriver.checkWithOutput "Pool2d.AvgBackward" (GemmCore.lengthOrNeg dx) n c h w k stride "dy" (GemmCore.lengthOrNeg dy)
        PoolDriver.avgBackward dy n c h w k stride dx oh ow (1.0 / float (k * k))
