namespace InitLab.Kernel.Init

open System
open InitLab.Kernel

/// Saxe et al. (2014): a (semi-)orthogonal matrix times `gain`. The weight is viewed as
/// rows = shape[0] by cols = (product of the rest); a Gaussian matrix of the taller orientation is
/// QR-factorised (Householder, float64), Q's columns are sign-corrected by sign(diag R) so that Q is
/// Haar-distributed, and Q is transposed back when rows < cols. Result: rows ≥ cols ⇒ WᵀW = gain²·I,
/// rows < cols ⇒ WWᵀ = gain²·I.
module OrthogonalInit =
    /// Thin Q (m×n, m ≥ n, row-major) of the QR factorisation of `a` (m×n row-major), sign-corrected.
    let private thinQ (m: int) (n: int) (a: float[]) =
        let a = Array.copy a
        let vs = Array.zeroCreate<float[]> n
        let diagSign = Array.create n 1.0
        for k in 0 .. n - 1 do
            // Householder vector for column k below the diagonal
            let len = m - k
            let v = Array.init len (fun i -> a[(k + i) * n + k])
            let norm = sqrt (Array.sumBy (fun x -> x * x) v)
            if norm > 0.0 then
                let alpha = if v[0] > 0.0 then -norm else norm
                v[0] <- v[0] - alpha
                let vnorm = sqrt (Array.sumBy (fun x -> x * x) v)
                if vnorm > 0.0 then
                    for i in 0 .. len - 1 do v[i] <- v[i] / vnorm
                    // A[k.., k..] -= 2 v (vᵀ A[k.., k..])
                    for j in k .. n - 1 do
                        let mutable dot = 0.0
                        for i in 0 .. len - 1 do dot <- dot + v[i] * a[(k + i) * n + j]
                        let s = 2.0 * dot
                        for i in 0 .. len - 1 do a[(k + i) * n + j] <- a[(k + i) * n + j] - s * v[i]
                    vs[k] <- v
                else vs[k] <- null
            else vs[k] <- null
            // R[k, k] is now a[k, k]; its sign corrects Q's column k
            diagSign[k] <- if a[k * n + k] < 0.0 then -1.0 else 1.0
        // Q = H0 H1 … H(n−1) applied to the first n columns of I
        let q = Array.zeroCreate (m * n)
        for i in 0 .. n - 1 do q[i * n + i] <- 1.0
        for k in n - 1 .. -1 .. 0 do
            let v = vs[k]
            if not (isNull v) then
                let len = m - k
                for j in 0 .. n - 1 do
                    let mutable dot = 0.0
                    for i in 0 .. len - 1 do dot <- dot + v[i] * q[(k + i) * n + j]
                    let s = 2.0 * dot
                    for i in 0 .. len - 1 do q[(k + i) * n + j] <- q[(k + i) * n + j] - s * v[i]
        for i in 0 .. m - 1 do
            for j in 0 .. n - 1 do q[i * n + j] <- q[i * n + j] * diagSign[j]
        q

    let values (gain: float) (shape: int[]) (gen: Generator) =
        Sampling.checkShape "orthogonal" shape
        if shape.Length < 2 then
            invalidArg "shape" $"orthogonal initialiser needs a weight of rank ≥ 2, got shape {Shape.show shape}"
        if not (Double.IsFinite gain && gain > 0.0) then
            invalidArg "gain" $"orthogonal initialiser: gain must be a positive finite number, got {gain}"
        let rows = shape[0]
        let cols = Shape.numel shape / max rows 1
        if rows = 0 || cols = 0 then [||]
        else
            let m, n = max rows cols, min rows cols
            let g = Sampling.normal gen 1.0 (m * n)
            let q = thinQ m n g
            if rows >= cols then q |> Array.map (fun x -> gain * x)
            else
                // Q is cols×rows; the weight is its transpose
                Array.init (rows * cols) (fun idx ->
                    let r, c = idx / cols, idx % cols
                    gain * q[c * n + r])

    let sample (gain: float) (shape: int[]) (gen: Generator) = Sampling.toTensor Float32 shape (values gain shape gen)
