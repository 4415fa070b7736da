using InitLab.Kernel.Nn;

namespace InitLab.Studies.Comparison;

/// <summary>A model with its hidden units reordered to match a reference's.</summary>
/// <param name="Aligned">A new model computing the same function as the one aligned.</param>
/// <param name="Permutations">Per hidden layer (by path, e.g. "conv1"): aligned unit i is the original's unit [i].</param>
/// <param name="Rounds">Passes of weight matching over the layers.</param>
public sealed record AlignedNetwork(Module Aligned, IReadOnlyDictionary<string, int[]> Permutations, int Rounds);
