using InitLab.Kernel.Compare;
using InitLab.Kernel.Nn;

namespace InitLab.Studies.Comparison;

/// <summary>Weight matching (Git Re-Basin) from C#: see the Kernel's <c>WeightMatching</c>.</summary>
public static class NetworkAlignment
{
    /// <summary>
    /// Reorders <paramref name="model"/>'s hidden units (conv channels, fully connected units) to best
    /// match <paramref name="reference"/>'s; both must be the same Sequential stack of Conv2d/Linear layers.
    /// </summary>
    /// <exception cref="ArgumentException">The architectures differ, or a layer is not known to commute with a permutation.</exception>
    public static AlignedNetwork Align(Module reference, Module model, int seed = 0)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(model);
        var r = WeightMatching.align(seed, reference, model);
        var permutations = new Dictionary<string, int[]>(StringComparer.Ordinal);
        foreach (var (layer, order) in r.Permutations) permutations[layer] = order;
        return new AlignedNetwork(r.Aligned, permutations, r.Rounds);
    }
}
