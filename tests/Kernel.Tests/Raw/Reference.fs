/// Naive reference implementations (float64 accumulation) the raw kernels are checked against.
module InitLab.Kernel.Tests.Raw.Reference

open System

let rand (rng: Random) (len: int) = Array.init len (fun _ -> rng.NextDouble() * 2.0 - 1.0)
let rand32 (rng: Random) (len: int) = Array.init len (fun _ -> float32 (rng.NextDouble() * 2.0 - 1.0))

/// op(X)[i, j] for a row-major X with row stride ld.
let inline opAt (trans: bool) (x: 'T[]) (off: int) (ld: int) (i: int) (j: int) =
    if trans then x.[off + j * ld + i] else x.[off + i * ld + j]

/// C = alpha·op(A)·op(B) + beta·C with a triple loop; also returns, per element, the magnitude
/// Σ|alpha·a·b| + |beta·c| that bounds the rounding error of any summation order.
let gemm (ta: bool) (tb: bool) m n k (alpha: float) (a: float[]) aOff lda (b: float[]) bOff ldb (beta: float) (c: float[]) cOff ldc =
    let mag = Array.zeroCreate (m * n)
    for i in 0 .. m - 1 do
        for j in 0 .. n - 1 do
            let mutable s = 0.0
            let mutable g = 0.0
            for p in 0 .. k - 1 do
                let v = opAt ta a aOff lda i p * opAt tb b bOff ldb p j
                s <- s + v
                g <- g + abs v
            let ci = cOff + i * ldc + j
            let old = if beta = 0.0 then 0.0 else c.[ci]
            mag.[i * n + j] <- abs alpha * g + abs (beta * old)
            c.[ci] <- alpha * s + beta * old
    mag

let outSize (h: int) (k: int) (s: int) (p: int) = (h + 2 * p - k) / s + 1

/// Direct convolution y = x ⋆ w + b.
let convForward (x: float[]) n c h w (wt: float[]) oc kh kw s p (bias: float[]) =
    let oh, ow = outSize h kh s p, outSize w kw s p
    let y = Array.zeroCreate (n * oc * oh * ow)
    for i in 0 .. n - 1 do
        for o in 0 .. oc - 1 do
            for oy in 0 .. oh - 1 do
                for ox in 0 .. ow - 1 do
                    let mutable acc = if isNull (box bias) then 0.0 else bias.[o]
                    for ch in 0 .. c - 1 do
                        for ky in 0 .. kh - 1 do
                            for kx in 0 .. kw - 1 do
                                let iy = oy * s - p + ky
                                let ix = ox * s - p + kx
                                if iy >= 0 && iy < h && ix >= 0 && ix < w then
                                    acc <- acc + x.[((i * c + ch) * h + iy) * w + ix] * wt.[((o * c + ch) * kh + ky) * kw + kx]
                    y.[((i * oc + o) * oh + oy) * ow + ox] <- acc
    y

/// Direct gradients (dx, dw, db) of convForward for upstream dy.
let convBackward (x: float[]) n c h w (wt: float[]) oc kh kw s p (dy: float[]) =
    let oh, ow = outSize h kh s p, outSize w kw s p
    let dx = Array.zeroCreate x.Length
    let dw = Array.zeroCreate wt.Length
    let db = Array.zeroCreate oc
    for i in 0 .. n - 1 do
        for o in 0 .. oc - 1 do
            for oy in 0 .. oh - 1 do
                for ox in 0 .. ow - 1 do
                    let g = dy.[((i * oc + o) * oh + oy) * ow + ox]
                    db.[o] <- db.[o] + g
                    for ch in 0 .. c - 1 do
                        for ky in 0 .. kh - 1 do
                            for kx in 0 .. kw - 1 do
                                let iy = oy * s - p + ky
                                let ix = ox * s - p + kx
                                if iy >= 0 && iy < h && ix >= 0 && ix < w then
                                    let xi = ((i * c + ch) * h + iy) * w + ix
                                    let wi = ((o * c + ch) * kh + ky) * kw + kx
                                    dx.[xi] <- dx.[xi] + g * wt.[wi]
                                    dw.[wi] <- dw.[wi] + g * x.[xi]
    dx, dw, db

/// Max pooling with first-max tie breaking; returns outputs and flat argmax indices.
let maxPool (x: float[]) n c h w k s =
    let oh, ow = (h - k) / s + 1, (w - k) / s + 1
    let y = Array.zeroCreate (n * c * oh * ow)
    let am = Array.zeroCreate (n * c * oh * ow)
    for pl in 0 .. n * c - 1 do
        for oy in 0 .. oh - 1 do
            for ox in 0 .. ow - 1 do
                let mutable best = Double.NegativeInfinity
                let mutable bi = -1
                for ky in 0 .. k - 1 do
                    for kx in 0 .. k - 1 do
                        let xi = pl * h * w + (oy * s + ky) * w + ox * s + kx
                        if bi < 0 || x.[xi] > best then
                            best <- x.[xi]
                            bi <- xi
                y.[pl * oh * ow + oy * ow + ox] <- best
                am.[pl * oh * ow + oy * ow + ox] <- bi
    y, am

/// Average pooling and its gradient.
let avgPool (x: float[]) n c h w k s =
    let oh, ow = (h - k) / s + 1, (w - k) / s + 1
    let y = Array.zeroCreate (n * c * oh * ow)
    for pl in 0 .. n * c - 1 do
        for oy in 0 .. oh - 1 do
            for ox in 0 .. ow - 1 do
                let mutable acc = 0.0
                for ky in 0 .. k - 1 do
                    for kx in 0 .. k - 1 do
                        acc <- acc + x.[pl * h * w + (oy * s + ky) * w + ox * s + kx]
                y.[pl * oh * ow + oy * ow + ox] <- acc / float (k * k)
    y

let avgPoolBackward (dy: float[]) n c h w k s =
    let oh, ow = (h - k) / s + 1, (w - k) / s + 1
    let dx = Array.zeroCreate (n * c * h * w)
    for pl in 0 .. n * c - 1 do
        for oy in 0 .. oh - 1 do
            for ox in 0 .. ow - 1 do
                for ky in 0 .. k - 1 do
                    for kx in 0 .. k - 1 do
                        let xi = pl * h * w + (oy * s + ky) * w + ox * s + kx
                        dx.[xi] <- dx.[xi] + dy.[pl * oh * ow + oy * ow + ox] / float (k * k)
    dx

/// Fails with the first index where |actual - expected| > tol(i).
let expectClose (what: string) (actual: float[]) (expected: float[]) (tol: int -> float) =
    if actual.Length <> expected.Length then failwithf "%s: length %d vs %d" what actual.Length expected.Length
    for i in 0 .. actual.Length - 1 do
        let d = abs (actual.[i] - expected.[i])
        if not (d <= tol i) then
            failwithf "%s: element %d is %g, expected %g (diff %g > tol %g)" what i actual.[i] expected.[i] d (tol i)

let toF64 (a: float32[]) = Array.map float a
let toF32 (a: float[]) = Array.map float32 a
