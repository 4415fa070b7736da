namespace InitLab.Studies.Comparison;

/// <summary>Two groups of trained models compared by aligned weight distance, CKA and interpolation.</summary>
/// <param name="FirstGroup">Name of the first group (e.g. "Chars").</param>
/// <param name="SecondGroup">Name of the second group (e.g. "MNIST").</param>
/// <param name="Layers">Layers whose outputs CKA compares (flattens left out: they repeat the layer before).</param>
/// <param name="Pairs">Every pair within the first group, within the second, and model k of one against model k of the other.</param>
/// <param name="CkaMatrixDifferentInit">Layer × layer linear CKA of the first group's models 1 and 2 (null with one model).</param>
/// <param name="CkaMatrixSameInit">Layer × layer linear CKA of model 1 of each group.</param>
/// <param name="ProbeName">The probe set CKA ran on.</param>
/// <param name="ProbeCount">Probe images used.</param>
/// <param name="Seconds">Wall time of the comparison.</param>
/// <param name="Conclusion">What the comparison adds to the position-wise tables, in plain words.</param>
public sealed record NetworkComparisonResult(
    string FirstGroup,
    string SecondGroup,
    IReadOnlyList<string> Layers,
    IReadOnlyList<PairComparison> Pairs,
    double[,]? CkaMatrixDifferentInit,
    double[,] CkaMatrixSameInit,
    string ProbeName,
    int ProbeCount,
    double Seconds,
    string Conclusion)
{
    /// <summary>Pairs of models from different initial weights trained on the same data.</summary>
    public IEnumerable<PairComparison> DifferentInit => Pairs.Where(p => !p.SameInitialWeights);

    /// <summary>Pairs of models from the same initial weights trained on different data.</summary>
    public IEnumerable<PairComparison> SameInit => Pairs.Where(p => p.SameInitialWeights);

    /// <summary>The Table 2 style matrix of one group, before (false) or after (true) alignment; [i, j] for i &lt; j is model j aligned to model i.</summary>
    public double[,] DistanceMatrix(string group, bool aligned)
    {
        var within = Pairs.Where(p => p.Group == group).ToList();
        int n = within.Select(p => p.SecondIndex).DefaultIfEmpty(0).Max();
        var m = new double[n, n];
        foreach (var p in within)
            m[p.FirstIndex - 1, p.SecondIndex - 1] = m[p.SecondIndex - 1, p.FirstIndex - 1] = aligned ? p.DistanceAfter : p.DistanceBefore;
        return m;
    }
}
