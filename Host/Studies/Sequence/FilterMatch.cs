using InitLab.Kernel;
using InitLab.Kernel.Compare;
using InitLab.Kernel.Nn;

namespace InitLab.Studies.Sequence;

/// <summary>
/// Two CNNs' first-layer filters compared both ways: the paper's S_i = min_j E_ij (several filters may
/// pick the same counterpart) and the one-to-one matching minimising Σ_i E_i,σ(i).
/// </summary>
/// <param name="Nearest">S_i, the distance from filter i to its closest counterpart.</param>
/// <param name="Matched">E_i,σ(i), the distance from filter i to its own counterpart under the matching.</param>
/// <param name="Assignment">σ(i): the counterpart filter i is matched to (all distinct).</param>
/// <param name="NearestIndex">argmin_j E_ij: the counterpart S_i picks (may repeat).</param>
public sealed record FilterMatch(double[] Nearest, double[] Matched, int[] Assignment, int[] NearestIndex)
{
    /// <summary>Filters whose nearest counterpart another filter picked too (n − distinct nearest counterparts): what S_i reuses.</summary>
    public int SharingNearest => NearestIndex.Length - NearestIndex.Distinct().Count();

    /// <summary>Mean S_i.</summary>
    public double MeanNearest => Nearest.Average();

    /// <summary>Mean matched distance (never below <see cref="MeanNearest"/>).</summary>
    public double MeanMatched => Matched.Average();

    /// <summary>
    /// The one-to-one matching of <paramref name="f"/>'s first-layer filters (conv1.weight) to
    /// <paramref name="g"/>'s (Kernel/Compare/FilterMatching).
    /// </summary>
    /// <exception cref="ArgumentException">A network has no conv1.weight, the filters differ in shape, or hold NaN.</exception>
    public static FilterMatch Of(Module f, Module g)
    {
        var c = FilterMatching.compare(FirstWeight(f, nameof(f)), FirstWeight(g, nameof(g)));
        return new FilterMatch(c.Nearest, c.MatchedDistances, c.Matched, c.NearestIndex);
    }

    static Tensor FirstWeight(Module m, string which)
    {
        ArgumentNullException.ThrowIfNull(m, which);
        foreach (var (name, p) in m.ParametersByName)
            if (name == "conv1.weight") return p;
        throw new ArgumentException($"{m.Describe()} has no first convolution 'conv1.weight' to compare", which);
    }
}
