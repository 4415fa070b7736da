namespace InitLab.Kernel.Nn

open InitLab.Kernel
open InitLab.Kernel.Init

/// Inverted dropout with drop probability p: in training each element is zeroed with probability p
/// and the rest scaled by 1/(1 − p); in evaluation mode it is the identity. Masks are drawn from the
/// layer's own generator (a split of the default one unless given), so runs repeat bit for bit.
type Dropout(p: float, ?gen: Generator) =
    inherit Module()
    do if not (p >= 0.0 && p < 1.0) then invalidArg "p" $"Dropout: probability {p} must be in [0, 1)"
    let gen = match gen with Some g -> g | None -> DefaultGenerator.Current.Split()
    member _.P = p
    /// The generator masks are drawn from (its state belongs in a checkpoint).
    member _.Generator = gen
    override this.Forward(x) = x.Dropout(p, this.IsTraining, gen)
    /// The clone continues from a copy of this layer's generator state.
    override _.CreateSimilar() = Dropout(p, gen.Clone())
    override _.Describe() = $"Dropout(p = {p})"
