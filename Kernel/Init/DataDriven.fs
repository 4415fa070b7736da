namespace InitLab.Kernel.Init

open System
open InitLab.Kernel
open InitLab.Kernel.Raw

/// Paper 001's Algorithm 1: one-shot, data-driven filters for one convolution layer (valid
/// convolution, stride 1, square kernel). Every open detail is a field of `DataDrivenOptions`, where
/// each reading is written down. Further readings fixed here:
/// - positions: act's grid is the valid-convolution grid; position p of act is the window of prev
///   whose top-left corner is p, so ζ (line 11) ranges over the same grid and the Hadamard product of
///   line 10 is taken window-wise: a window is a candidate only if inhibition left its position alive.
/// - channels: act has the layer's k channels, prev has c; a position counts as represented when
///   any channel exceeds θ (act is reduced over channels by max before the scan).
/// - an input whose windows are all inhibited, or whose seed is blank, yields no filter (the paper:
///   "no new filter is generated for that input"); a slot no input fills keeps its Gaussian draw g_r.
/// - g_r is drawn once, for the k slots, row-major, before the pass: slot j mixes g_r[j] with the seed
///   it ends up holding, so δ = 0 returns exactly that draw.
/// - biases are left to the caller (the model applier sets them to 0, MSRA's Caffe filler convention).
module DataDrivenInit =

    /// seed = ϕ(x − ε·max(x)) over one input (Algorithm 1, line 4), written into `dst`.
    let seedInto (epsilon: float) (x: float32[]) (offset: int) (length: int) (dst: float32[]) =
        let mutable mx = Single.NegativeInfinity
        for j in offset .. offset + length - 1 do
            if x[j] > mx then mx <- x[j]
        let cut = float32 epsilon * mx
        for j in 0 .. length - 1 do
            dst[j] <- max 0.0f (x[offset + j] - cut)

    /// The positions of an [channels; oh; ow] activation left alive by the scan of lines 5–9: every
    /// position p where some channel's act[p] − θ > 0 kills its (2r+1)² neighbourhood (clipped).
    /// `alive` (oh·ow) is overwritten; returns how many positions exceeded θ.
    let inhibitInto (theta: float) (radius: int) (act: float32[]) (channels: int) (oh: int) (ow: int) (alive: bool[]) =
        Array.Fill(alive, true, 0, oh * ow)
        let plane = oh * ow
        let mutable hot = 0
        for p in 0 .. plane - 1 do
            let mutable peak = Single.NegativeInfinity
            for k in 0 .. channels - 1 do
                let v = act[k * plane + p]
                if v > peak then peak <- v
            if float peak - theta > 0.0 then
                hot <- hot + 1
                let py, px = p / ow, p % ow
                for y in max 0 (py - radius) .. min (oh - 1) (py + radius) do
                    Array.Fill(alive, false, y * ow + max 0 (px - radius), min (ow - 1) (px + radius) - max 0 (px - radius) + 1)
        hot

    /// The inhibition mask as a fresh array (for tests and figures): true where a window may still seed.
    let inhibitionMask (theta: float) (radius: int) (act: float32[]) (channels: int) (oh: int) (ow: int) =
        if act.Length <> channels * oh * ow then
            invalidArg "act" $"inhibitionMask: act has {act.Length} values, expected channels·oh·ow = {channels}·{oh}·{ow}"
        let alive = Array.zeroCreate (oh * ow)
        inhibitInto theta radius act channels oh ow alive |> ignore
        alive

    let private normaliseRows (rows: int) (len: int) (src: float[]) (dst: float32[]) (unit: bool) =
        for r in 0 .. rows - 1 do
            let mutable ss = 0.0
            for j in 0 .. len - 1 do ss <- ss + src[r * len + j] * src[r * len + j]
            let scale = if unit && ss > 0.0 then 1.0 / sqrt ss else 1.0
            for j in 0 .. len - 1 do dst[r * len + j] <- float32 (src[r * len + j] * scale)

    /// Runs Algorithm 1 once per input of `inputs` ([N; c; H; W], in that order) and keeps the
    /// `filterCount` candidates ranked highest. `initialFilters` ([k; c; kernel; kernel]) are the
    /// inhibiting filters when `options.Inhibitors` is `InitialFilters` (may be null otherwise).
    // Fully optimised at once: it runs once per layer per process, a long loop tier-0 code would crawl through.
    [<System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)>]
    let generate (options: DataDrivenOptions) (inputs: Tensor) (kernelSize: int) (filterCount: int)
                 (initialFilters: Tensor) (gen: Generator) : DataDrivenResult =
        if isNull inputs then nullArg "inputs"
        if isNull (box gen) then nullArg "gen"
        if kernelSize < 1 then invalidArg "kernelSize" $"data-driven initialiser: kernelSize must be ≥ 1, got {kernelSize}"
        if filterCount < 1 then invalidArg "filterCount" $"data-driven initialiser: filterCount (k) must be ≥ 1, got {filterCount}"
        options.Validate kernelSize
        if inputs.Rank <> 4 || inputs.Shape[0] < 1 then
            invalidArg "inputs" $"data-driven initialiser: inputs must be [N ≥ 1; C; H; W], got {Shape.show inputs.Shape}"
        let n, c, h, w = inputs.Shape[0], inputs.Shape[1], inputs.Shape[2], inputs.Shape[3]
        if h < kernelSize || w < kernelSize then
            invalidArg "inputs" $"data-driven initialiser: inputs {Shape.show inputs.Shape} are smaller than the {kernelSize}×{kernelSize} kernel"
        let k, ks = filterCount, kernelSize
        let css = c * ks * ks
        if options.Inhibitors = InitialFilters then
            if isNull initialFilters || initialFilters.Shape <> [| k; c; ks; ks |] then
                let shown = if isNull initialFilters then "null" else Shape.show initialFilters.Shape
                invalidArg "initialFilters" $"data-driven initialiser: Inhibitors = InitialFilters needs initialFilters of shape {Shape.show [| k; c; ks; ks |]}, got {shown}"
        // float32 inputs are read in place (a copy of a layer's whole input set is tens of MB of garbage)
        let data = match inputs.Raw.DataArray with :? (float32[]) as a when a.Length = inputs.Numel -> a | _ -> inputs.ToFloat32Array()
        if not (inputs.AllFinite()) then
            let i = data |> Array.findIndex (fun v -> not (Single.IsFinite v))
            invalidArg "inputs" $"data-driven initialiser: input value at flat index {i} (image {i / (c * h * w)}) is {data[i]}; inputs must be finite"
        let s = defaultArg options.WindowSize ks
        let off = (ks - s) / 2
        let oh, ow = h - ks + 1, w - ks + 1
        let chw = c * h * w
        let delta = options.Delta
        // g_r first, row-major, so δ = 0 returns this draw bit for bit.
        let gr = Sampling.normal gen options.GaussianStd (k * css)
        let seeds = Array.zeroCreate<float> (k * css)
        let mixed = Array.copy gr
        let actW = Array.zeroCreate<float32> (k * css)
        if options.Inhibitors = InitialFilters then
            normaliseRows k css (initialFilters.ToArray()) actW options.NormaliseActivation
        let scores = Array.create k nan
        let source = Array.create k -1
        let xbuf = Array.zeroCreate<float32> chw
        let seed = Array.zeroCreate<float32> chw
        let act = Array.zeroCreate<float32> (k * oh * ow)
        let alive = Array.zeroCreate<bool> (oh * ow)
        let integral = Array.zeroCreate<float> ((h + 1) * (w + 1))
        let gx = Array.zeroCreate<float> css
        let gx32 = Array.zeroCreate<float32> css
        let resp = Array.zeroCreate<float32> (oh * ow)
        let mutable filled = 0
        let mutable candidates = 0
        // act for a block of inputs in one batched convolution (each image's act is bit-identical to its
        // own single-image convolution: the GEMM sums every output over the same K order). Under the
        // growing set the inhibiting filters change whenever a slot is (re)filled, so the block's later acts
        // are then stale: the pass restarts after that input with a small block and doubles the block after
        // every block that changed nothing. Slot changes grow rare as the pass goes on (a candidate must
        // beat the k-th best score), so most inputs are convolved in large blocks; the result is exactly
        // the sequential pass's. Fixed inhibitors never change: every block is full.
        let maxBlock = min 256 n
        let xblock = Array.zeroCreate<float32> (maxBlock * chw)
        let actBlock = Array.zeroCreate<float32> (maxBlock * k * oh * ow)
        let mutable block = 1
        let mutable i = 0
        while i < n do
          let m = if options.Inhibitors = GrowingSet then filled else k
          let b = min (if options.Inhibitors = GrowingSet then block else maxBlock) (n - i)
          if m > 0 then
              Array.Copy(data, i * chw, xblock, 0, b * chw)
              Conv2d.Forward(xblock, b, c, h, w, actW, m, ks, ks, 1, 0, null, actBlock)
          // the per-input work below is serial and small: one worker, no dispatch per tiny convolution
          use _ = Threads.Use 1
          let mutable j = 0
          let mutable changed = false
          while j < b && not changed do
            let i = i + j
            // act under the inhibiting filters, ϕ applied (eq. 1), then the scan of lines 5–9.
            let mutable layerSq = 0.0
            if m > 0 then
                Array.Copy(actBlock, j * m * oh * ow, act, 0, m * oh * ow)
                for q in 0 .. m * oh * ow - 1 do
                    let v = max 0.0f act[q]
                    act[q] <- v
                    layerSq <- layerSq + float v * float v
                inhibitInto options.Theta options.InhibitionRadius act m oh ow alive |> ignore
            else Array.Fill(alive, true)
            // An input whose every window is inhibited seeds nothing: its seed and window energies are
            // skipped (most inputs, once the set has grown; the result is the same).
            let anyAlive = Array.IndexOf(alive, true, 0, oh * ow) >= 0
            if anyAlive then
                Array.Copy(data, i * chw, xbuf, 0, chw)
                seedInto options.Epsilon xbuf 0 chw seed
            // ‖seed[N(ζ, s)]‖² for every window via an integral image of Σ_c seed².
            for y in 0 .. (if anyAlive then h - 1 else -1) do
                let mutable row = 0.0
                for x in 0 .. w - 1 do
                    let mutable e = 0.0
                    for ch in 0 .. c - 1 do
                        let v = float seed[(ch * h + y) * w + x]
                        e <- e + v * v
                    row <- row + e
                    integral[(y + 1) * (w + 1) + x + 1] <- integral[y * (w + 1) + x + 1] + row
            let mutable best = -1
            let mutable bestScore = 0.0
            for qy in 0 .. oh - 1 do
                for qx in 0 .. ow - 1 do
                    if alive[qy * ow + qx] then
                        let y0, x0 = qy + off, qx + off
                        let e =
                            integral[(y0 + s) * (w + 1) + x0 + s] - integral[y0 * (w + 1) + x0 + s]
                            - integral[(y0 + s) * (w + 1) + x0] + integral[y0 * (w + 1) + x0]
                        // strict: ties keep the first window in row-major order; a blank seed never wins
                        if e > bestScore * (1.0 + 1e-12) && e > 1e-30 then
                            best <- qy * ow + qx
                            bestScore <- e
            // The integral image's differences keep round-off from bright pixels elsewhere, so a blank
            // window can score a few ulps above 0: its exact energy decides (else g_x would be 0/0 = NaN).
            if best >= 0 then
                let qy, qx = best / ow, best % ow
                let mutable exact = 0.0
                for ch in 0 .. c - 1 do
                    for a in 0 .. s - 1 do
                        for b in 0 .. s - 1 do
                            let v = float seed[(ch * h + qy + off + a) * w + qx + off + b]
                            exact <- exact + v * v
                if not (exact > 1e-30) then best <- -1
            if best >= 0 then
                candidates <- candidates + 1
                let qy, qx = best / ow, best % ow
                Array.Clear gx
                let mutable ss = 0.0
                for ch in 0 .. c - 1 do
                    for a in 0 .. s - 1 do
                        for b in 0 .. s - 1 do
                            let v = float seed[(ch * h + qy + off + a) * w + qx + off + b]
                            gx[(ch * ks + off + a) * ks + off + b] <- v
                            ss <- ss + v * v
                let divisor =
                    match options.SeedNorm with
                    | UnitNorm -> sqrt ss
                    | SquaredNorm -> ss
                    | MatchGaussian -> sqrt ss / (options.GaussianStd * sqrt (float css))
                for j in 0 .. css - 1 do
                    gx[j] <- gx[j] / divisor
                    gx32[j] <- float32 gx[j]
                let score =
                    match options.Ranking with
                    | LayerResponse -> sqrt layerSq
                    | SeedResponse ->
                        Conv2d.Forward(xbuf, 1, c, h, w, gx32, 1, ks, ks, 1, 0, null, resp)
                        let mutable r = 0.0
                        for v in resp do
                            if v > 0.0f then r <- r + float v * float v
                        sqrt r
                let slot =
                    if filled < k then
                        filled <- filled + 1
                        filled - 1
                    else
                        let mutable lo = 0
                        for j in 1 .. k - 1 do
                            if scores[j] < scores[lo] then lo <- j
                        if score > scores[lo] then lo else -1
                if slot >= 0 then
                    scores[slot] <- score
                    source[slot] <- i
                    let o = slot * css
                    for j in 0 .. css - 1 do
                        seeds[o + j] <- gx[j]
                        mixed[o + j] <- (1.0 - delta) * gr[o + j] + delta * gx[j]
                    if options.Inhibitors = GrowingSet then
                        let mutable mss = 0.0
                        for j in 0 .. css - 1 do mss <- mss + mixed[o + j] * mixed[o + j]
                        let scale = if options.NormaliseActivation && mss > 0.0 then 1.0 / sqrt mss else 1.0
                        for j in 0 .. css - 1 do actW[o + j] <- float32 (mixed[o + j] * scale)
                        changed <- true
            j <- j + 1
          i <- i + j
          block <- if changed then 1 else min maxBlock (2 * block)
        { Weight = Sampling.toTensor Float32 [| k; c; ks; ks |] mixed
          Gaussian = gr
          Seeds = seeds
          SourceInput = source
          Scores = scores
          Candidates = candidates }
