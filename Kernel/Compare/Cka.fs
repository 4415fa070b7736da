namespace InitLab.Kernel.Compare

open System
open InitLab.Kernel

/// Which HSIC estimator CKA normalises.
type CkaEstimator =
    /// Kornblith et al. 2019: HSIC(K, L) = tr(KHLH) / (n − 1)², biased by O(1/n)
    | Biased
    /// the unbiased HSIC of Song et al. 2012 (U-centred Gram matrices), so independent features
    /// score near 0 however few probes there are
    | Debiased

/// A layer's representation of the probe set ready for CKA: its centred linear Gram matrix.
type ProbeGram =
    { Layer: string
      Probes: int
      Features: int
      /// n×n, row-major, centred (Biased) or U-centred (Debiased)
      Centred: float[]
      /// ‖Centred‖_F
      Norm: float }

/// Linear centred kernel alignment (Kornblith, Norouzi, Lee & Hinton 2019): the similarity of two
/// representations X [n; p] and Y [n; q] of the same n probes, invariant to orthogonal transforms
/// and isotropic scaling of either, CKA = HSIC(K, L) / √(HSIC(K, K)·HSIC(L, L)) with K = XXᵀ, L = YYᵀ.
/// Gram matrices come from the Kernel's GEMM (X·Xᵀ via Linear), so wide conv outputs cost one product.
module Cka =

    /// `x` [n; …] flattened to [n; p], features centred over the probes, in the tensor's own dtype
    /// (Tensor ops throughout: vectorised, and float32 stays float32 for the GEMM).
    let private centredFeatures (layer: string) (x: Tensor) =
        if isNull x then nullArg "x"
        if x.Rank < 1 || x.Shape[0] < 1 || x.Numel = 0 then invalidArg "x" $"CKA: layer '{layer}' output {Shape.show x.Shape} has no probe axis or no features"
        let n = x.Shape[0]
        let p = x.Numel / n
        use _ = Tensor.NoGrad()
        // one pass decides; the slow search for the culprit runs only when something is not finite
        if not (Double.IsFinite(x.Sum().Item)) then
            let v = x.ToArray()
            match v |> Array.tryFindIndex (Double.IsFinite >> not) with
            | Some i -> invalidArg "x" $"CKA: layer '{layer}' output {Shape.show x.Shape} holds {v[i]} at probe {i / p}, feature {i % p}"
            | None -> ()
        let flat = x.Reshape [| n; p |]
        n, p, flat - flat.Mean(0, true)

    let private centre (estimator: CkaEstimator) (n: int) (k: float[]) =
        let at i j = k[i * n + j]
        match estimator with
        | Biased ->
            // features are centred already; centring K once more removes what rounding left
            let rowMeans = Array.init n (fun i -> (Array.sub k (i * n) n |> Array.sum) / float n)
            let all = Array.average rowMeans
            for i in 0 .. n - 1 do
                for j in 0 .. n - 1 do k[i * n + j] <- at i j - rowMeans[i] - rowMeans[j] + all
        | Debiased ->
            // U-centring (Székely & Rizzo 2014): zero diagonal, subtract row and column sums over n − 2,
            // add the total over (n − 1)(n − 2); ⟨K̃, L̃⟩ / (n(n − 3)) is then the unbiased HSIC
            for i in 0 .. n - 1 do k[i * n + i] <- 0.0
            let rowSums = Array.init n (fun i -> Array.sub k (i * n) n |> Array.sum)
            let total = Array.sum rowSums
            for i in 0 .. n - 1 do
                for j in 0 .. n - 1 do
                    k[i * n + j] <-
                        if i = j then 0.0
                        else at i j - (rowSums[i] + rowSums[j]) / float (n - 2) + total / float ((n - 1) * (n - 2))
        k

    let private minimum estimator = match estimator with Biased -> 2 | Debiased -> 4

    /// The linear Gram matrix X·Xᵀ of the centred features (one GEMM), as float64.
    let private rawGram (estimators: CkaEstimator list) (layer: string) (x: Tensor) =
        let n, p, xc = centredFeatures layer x
        for e in estimators do
            if n < minimum e then invalidArg "x" $"CKA ({e}): layer '{layer}' has {n} probes; it needs at least {minimum e}"
        use _ = Tensor.NoGrad()
        n, p, xc.Linear(xc, null).ToArray()

    let private finish estimator layer n p (k: float[]) =
        let c = centre estimator n k
        { Layer = layer; Probes = n; Features = p; Centred = c; Norm = sqrt (Array.fold (fun s v -> s + v * v) 0.0 c) }

    /// The centred (or U-centred) Gram matrix of one layer's output over the probes.
    let gram (estimator: CkaEstimator) (layer: string) (x: Tensor) : ProbeGram =
        let n, p, k = rawGram [ estimator ] layer x
        finish estimator layer n p k

    /// Both estimators' Gram matrices from one product: (Biased, Debiased).
    let gramBoth (layer: string) (x: Tensor) : ProbeGram * ProbeGram =
        let n, p, k = rawGram [ Biased; Debiased ] layer x
        finish Biased layer n p (Array.copy k), finish Debiased layer n p k

    /// CKA between two layers' Gram matrices of the same probes (NaN when either layer is constant
    /// over the probes: its similarity to anything is undefined).
    let ofGrams (a: ProbeGram) (b: ProbeGram) =
        if a.Probes <> b.Probes then
            invalidArg "b" $"CKA: layer '{a.Layer}' has {a.Probes} probes but layer '{b.Layer}' has {b.Probes}; both must see the same probe set"
        let mutable dot = 0.0
        for i in 0 .. a.Centred.Length - 1 do dot <- dot + a.Centred[i] * b.Centred[i]
        if a.Norm = 0.0 || b.Norm = 0.0 then nan else dot / (a.Norm * b.Norm)

    /// CKA of two representations [n; …] of the same n probes.
    let between (estimator: CkaEstimator) (x: Tensor) (y: Tensor) =
        if isNull x then nullArg "x"
        if isNull y then nullArg "y"
        if x.Rank < 1 || y.Rank < 1 || x.Shape[0] <> y.Shape[0] then
            invalidArg "y" $"CKA: representations {Shape.show x.Shape} and {Shape.show y.Shape} do not have the same number of probes (axis 0)"
        ofGrams (gram estimator "x" x) (gram estimator "y" y)

    /// The layer × layer CKA matrix, [i, j] = CKA(layer i of A, layer j of B), from each model's
    /// layer outputs on one probe set (e.g. `LayerOutputs.ofModel`).
    let matrix (estimator: CkaEstimator) (a: (string * Tensor)[]) (b: (string * Tensor)[]) : float[,] =
        if isNull a then nullArg "a"
        if isNull b then nullArg "b"
        let ga = a |> Array.map (fun (name, t) -> gram estimator name t)
        let gb = b |> Array.map (fun (name, t) -> gram estimator name t)
        Array2D.init ga.Length gb.Length (fun i j -> ofGrams ga[i] gb[j])
