namespace InitLab.Kernel.Init

open System
open InitLab.Kernel

/// Which filters produce `act` (Algorithm 1, line 3) while the candidate set grows. Paper 001 says
/// "the layer's output under its current filters" without saying whether the filters generated so
/// far already count.
type InhibitingFilters =
    /// Our default reading, closest to the neocognitron's competitive learning the paper cites: the
    /// k filters kept so far (mixed, as they would be initialised) inhibit; the first input meets an
    /// empty layer. Inputs are visited in the order given (the seed fixes that order).
    | GrowingSet
    /// The layer's weights before the pass (e.g. MSRA), fixed for the whole pass: order-independent.
    | InitialFilters

/// How a candidate is ranked for the top-k choice ("activation: the Frobenius norm of act").
type CandidateRanking =
    /// Our default reading: ‖ϕ(g_x ⋆ prev)‖_F, the response of the seed filter to the input it came
    /// from, so the ranking says something about the filter rather than only about the input.
    | SeedResponse
    /// The literal text: ‖act‖_F, the layer's response (under the inhibiting filters) before inhibition.
    | LayerResponse

/// How g_x is normalised (line 12 prints g_x = seed[N(ζ*, s)] / ‖seed[N(ζ*, 2)]‖²₂).
type SeedNormalisation =
    /// Our default reading: the "2" is the window size s mistyped and the square a typo, so g_x has
    /// unit Frobenius norm (the test "a bright patch gives the patch normalised").
    | UnitNorm
    /// The printed squared norm: ‖g_x‖ = 1 / ‖patch‖.
    | SquaredNorm
    /// Scaled to the expected norm of g_r, std·√(c·k·k), so δ weighs two parts of equal size.
    | MatchGaussian

/// Parameters of paper 001's Algorithm 1. Defaults are ours where the paper gives none (it gives
/// none): see each field.
type DataDrivenOptions =
    { /// θ, the learning threshold: a position p of `act` with act[p] − θ > 0 is already represented.
      /// Finite, ≥ 0. Compared against act computed with unit-norm filters (see NormaliseActivation).
      Theta: float
      /// ε, the inhibition strength: seed = ϕ(prev − ε·max(prev)), max over the whole input. In [0, 1].
      Epsilon: float
      /// r_t, the permitted radius: N(p, r_t) is the (2r_t+1)² square (Chebyshev distance ≤ r_t) on
      /// act's grid, clipped at the borders. ≥ 0.
      InhibitionRadius: int
      /// δ, the mixing weight: filter = (1 − δ)·g_r + δ·g_x. In [0, 1].
      Delta: float
      /// s, the seed window side; None = the kernel size. A window smaller than the kernel is
      /// placed in the filter's centre, the border zero. In [1, kernel size].
      WindowSize: int option
      /// Standard deviation of g_r; the paper's N(0, 1) is 1. Finite, > 0.
      GaussianStd: float
      SeedNorm: SeedNormalisation
      Inhibitors: InhibitingFilters
      Ranking: CandidateRanking
      /// Our reading: θ would otherwise depend on the filters' arbitrary scale (N(0, 1), MSRA or
      /// mixed), so act is computed with every filter scaled to unit norm (act[k, p] is then the
      /// correlation of filter k's direction with the window at p). false = raw filters.
      NormaliseActivation: bool }

    /// θ 1, ε 0.5, r_t 2, δ 0.5 (the paper's Fig. 2), s = kernel, g_r ~ N(0, 1), unit-norm g_x,
    /// growing inhibiting set, seed-response ranking, unit-norm activation.
    static member Default =
        { Theta = 1.0
          Epsilon = 0.5
          InhibitionRadius = 2
          Delta = 0.5
          WindowSize = None
          GaussianStd = 1.0
          SeedNorm = UnitNorm
          Inhibitors = GrowingSet
          Ranking = SeedResponse
          NormaliseActivation = true }

    /// A copy with δ replaced (for C# callers).
    member this.WithDelta(delta: float) = { this with Delta = delta }

    /// Refuses values outside their range (NaN included), naming the parameter and the value.
    member this.Validate(kernelSize: int) =
        let bad name (v: obj) range = invalidArg name $"data-driven initialiser: {name} = {v} is out of range; it must be {range}"
        if not (Double.IsFinite this.Theta && this.Theta >= 0.0) then bad "theta (θ)" this.Theta "finite and ≥ 0"
        if not (this.Epsilon >= 0.0 && this.Epsilon <= 1.0) then bad "epsilon (ε)" this.Epsilon "in [0, 1]"
        if this.InhibitionRadius < 0 then bad "inhibitionRadius (r_t)" this.InhibitionRadius "≥ 0"
        if not (this.Delta >= 0.0 && this.Delta <= 1.0) then bad "delta (δ)" this.Delta "in [0, 1]"
        if not (Double.IsFinite this.GaussianStd && this.GaussianStd > 0.0) then bad "gaussianStd" this.GaussianStd "finite and > 0"
        match this.WindowSize with
        | Some s when s < 1 || s > kernelSize -> bad "windowSize (s)" s $"in [1, {kernelSize}] (the kernel size)"
        | _ -> ()

/// What one data-driven pass produced for one convolution layer.
type DataDrivenResult =
    { /// The layer's filters [k; c; kernel; kernel] (float32): (1 − δ)·g_r + δ·g_x per slot.
      Weight: Tensor
      /// g_r, the Gaussian part [k; c; kernel; kernel] (float64 values, row-major).
      Gaussian: float[]
      /// g_x of each slot (zero for a slot no input filled), same layout.
      Seeds: float[]
      /// Index of the input whose seed fills each slot, or -1 when no input produced enough candidates.
      SourceInput: int[]
      /// The ranking score of each slot's candidate (NaN for an unfilled slot).
      Scores: float[]
      /// How many inputs yielded a candidate (the rest were fully inhibited or blank).
      Candidates: int }

/// Algorithm 1's result for one named layer of a model (DataDrivenModel.Initialise).
type DataDrivenLayerResult =
    { /// The Conv2d child's name, e.g. "conv1".
      Layer: string
      Result: DataDrivenResult }
