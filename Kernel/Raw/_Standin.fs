namespace InitLab.Kernel.Raw
// TEMPORARY naive stand-in for the raw kernels (replaced by the real Raw layer at merge). Not committed.
open System
type Threads() =
    static member val Count = 2 with get, set
type Gemm =
    static member inline private G(ta: bool, tb: bool, m: int, n: int, k: int, alpha: ^T, a: ^T[], aOff: int, lda: int, b: ^T[], bOff: int, ldb: int, beta: ^T, c: ^T[], cOff: int, ldc: int) =
        for i in 0 .. m - 1 do
            for j in 0 .. n - 1 do
                let mutable s = LanguagePrimitives.GenericZero< ^T>
                for p in 0 .. k - 1 do
                    let av = if ta then a[aOff + p * lda + i] else a[aOff + i * lda + p]
                    let bv = if tb then b[bOff + j * ldb + p] else b[bOff + p * ldb + j]
                    s <- s + av * bv
                let ci = cOff + i * ldc + j
                c[ci] <- (if beta = LanguagePrimitives.GenericZero< ^T> then LanguagePrimitives.GenericZero< ^T> else beta * c[ci]) + alpha * s
    static member Sgemm(ta, tb, m, n, k, alpha: float32, a, aOff, lda, b, bOff, ldb, beta: float32, c, cOff, ldc) = Gemm.G(ta, tb, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc)
    static member Dgemm(ta, tb, m, n, k, alpha: float, a, aOff, lda, b, bOff, ldb, beta: float, c, cOff, ldc) = Gemm.G(ta, tb, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc)
type Conv2d =
    static member inline private F(x: ^T[], n, c, h, w, weight: ^T[], oc, kh, kw, stride, pad, bias: ^T[], y: ^T[]) =
        let oh = (h + 2 * pad - kh) / stride + 1
        let ow = (w + 2 * pad - kw) / stride + 1
        for b in 0 .. n - 1 do
          for o in 0 .. oc - 1 do
            for i in 0 .. oh - 1 do
              for j in 0 .. ow - 1 do
                let mutable s = if isNull bias then LanguagePrimitives.GenericZero else bias[o]
                for ci in 0 .. c - 1 do
                  for p in 0 .. kh - 1 do
                    for q in 0 .. kw - 1 do
                      let yy = i * stride - pad + p
                      let xx = j * stride - pad + q
                      if yy >= 0 && yy < h && xx >= 0 && xx < w then
                        s <- s + x[((b * c + ci) * h + yy) * w + xx] * weight[((o * c + ci) * kh + p) * kw + q]
                y[((b * oc + o) * oh + i) * ow + j] <- s
    static member inline private B(x: ^T[], n, c, h, w, weight: ^T[], oc, kh, kw, stride, pad, dy: ^T[], dx: ^T[], dw: ^T[], db: ^T[]) =
        let oh = (h + 2 * pad - kh) / stride + 1
        let ow = (w + 2 * pad - kw) / stride + 1
        for b in 0 .. n - 1 do
          for o in 0 .. oc - 1 do
            for i in 0 .. oh - 1 do
              for j in 0 .. ow - 1 do
                let g = dy[((b * oc + o) * oh + i) * ow + j]
                if not (isNull db) then db[o] <- db[o] + g
                for ci in 0 .. c - 1 do
                  for p in 0 .. kh - 1 do
                    for q in 0 .. kw - 1 do
                      let yy = i * stride - pad + p
                      let xx = j * stride - pad + q
                      if yy >= 0 && yy < h && xx >= 0 && xx < w then
                        let xi = ((b * c + ci) * h + yy) * w + xx
                        let wi = ((o * c + ci) * kh + p) * kw + q
                        dw[wi] <- dw[wi] + g * x[xi]
                        if not (isNull dx) then dx[xi] <- dx[xi] + g * weight[wi]
    static member Forward(x: float32[], n, c, h, w, weight, oc, kh, kw, stride, pad, bias, y) = Conv2d.F(x, n, c, h, w, weight, oc, kh, kw, stride, pad, bias, y)
    static member Forward(x: float[], n, c, h, w, weight, oc, kh, kw, stride, pad, bias, y) = Conv2d.F(x, n, c, h, w, weight, oc, kh, kw, stride, pad, bias, y)
    static member Backward(x: float32[], n, c, h, w, weight, oc, kh, kw, stride, pad, dy, dx, dw, db) = Conv2d.B(x, n, c, h, w, weight, oc, kh, kw, stride, pad, dy, dx, dw, db)
    static member Backward(x: float[], n, c, h, w, weight, oc, kh, kw, stride, pad, dy, dx, dw, db) = Conv2d.B(x, n, c, h, w, weight, oc, kh, kw, stride, pad, dy, dx, dw, db)
type Pool2d =
    static member inline private MF(x: ^T[], n, c, h, w, k, stride, y: ^T[], argmax: int[]) =
        let oh = (h - k) / stride + 1
        let ow = (w - k) / stride + 1
        for b in 0 .. n * c - 1 do
            for i in 0 .. oh - 1 do
                for j in 0 .. ow - 1 do
                    let mutable best = b * h * w + (i * stride) * w + j * stride
                    for p in 0 .. k - 1 do
                        for q in 0 .. k - 1 do
                            let xi = b * h * w + (i * stride + p) * w + j * stride + q
                            if x[xi] > x[best] then best <- xi
                    let yi = (b * oh + i) * ow + j
                    y[yi] <- x[best]; argmax[yi] <- best
    static member inline private AF(x: ^T[], n, c, h, w, k, stride, y: ^T[]) =
        let oh = (h - k) / stride + 1
        let ow = (w - k) / stride + 1
        for b in 0 .. n * c - 1 do
            for i in 0 .. oh - 1 do
                for j in 0 .. ow - 1 do
                    let mutable s = LanguagePrimitives.GenericZero
                    for p in 0 .. k - 1 do
                        for q in 0 .. k - 1 do
                            s <- s + x[b * h * w + (i * stride + p) * w + j * stride + q]
                    y[(b * oh + i) * ow + j] <- s / (LanguagePrimitives.GenericOne * (box (k*k) |> unbox<int> |> fun v -> Seq.fold (fun a _ -> a + LanguagePrimitives.GenericOne) LanguagePrimitives.GenericZero [1..v]))
    static member inline private AB(dy: ^T[], n, c, h, w, k, stride, dx: ^T[]) =
        let oh = (h - k) / stride + 1
        let ow = (w - k) / stride + 1
        let kk = Seq.fold (fun a _ -> a + LanguagePrimitives.GenericOne) LanguagePrimitives.GenericZero [1..k*k]
        for b in 0 .. n * c - 1 do
            for i in 0 .. oh - 1 do
                for j in 0 .. ow - 1 do
                    let g = dy[(b * oh + i) * ow + j] / kk
                    for p in 0 .. k - 1 do
                        for q in 0 .. k - 1 do
                            let xi = b * h * w + (i * stride + p) * w + j * stride + q
                            dx[xi] <- dx[xi] + g
    static member MaxForward(x: float32[], n, c, h, w, k, stride, y, argmax) = Pool2d.MF(x, n, c, h, w, k, stride, y, argmax)
    static member MaxForward(x: float[], n, c, h, w, k, stride, y, argmax) = Pool2d.MF(x, n, c, h, w, k, stride, y, argmax)
    static member MaxBackward(dy: float32[], argmax: int[], count: int, dx: float32[]) = for i in 0 .. count - 1 do dx[argmax[i]] <- dx[argmax[i]] + dy[i]
    static member MaxBackward(dy: float[], argmax: int[], count: int, dx: float[]) = for i in 0 .. count - 1 do dx[argmax[i]] <- dx[argmax[i]] + dy[i]
    static member AvgForward(x: float32[], n, c, h, w, k, stride, y) = Pool2d.AF(x, n, c, h, w, k, stride, y)
    static member AvgForward(x: float[], n, c, h, w, k, stride, y) = Pool2d.AF(x, n, c, h, w, k, stride, y)
    static member AvgBackward(dy: float32[], n, c, h, w, k, stride, dx) = Pool2d.AB(dy, n, c, h, w, k, stride, dx)
    static member AvgBackward(dy: float[], n, c, h, w, k, stride, dx) = Pool2d.AB(dy, n, c, h, w, k, stride, dx)
