namespace InitLab.Studies.Comparison;

/// <summary>Two trained models compared every way <see cref="NetworkComparison"/> knows.</summary>
/// <param name="First">Name of the reference model (e.g. "Chars1").</param>
/// <param name="Second">Name of the model aligned to it.</param>
/// <param name="Group">The group both models belong to, or null when they come from different groups (same initial weights).</param>
/// <param name="FirstIndex">1-based index of the first model in its group.</param>
/// <param name="SecondIndex">1-based index of the second model in its group.</param>
/// <param name="DistanceBefore">Σ|Δw| over every weight and bias, position by position (paper 000's measure).</param>
/// <param name="DistanceAfter">The same after aligning the second model's hidden units to the first's.</param>
/// <param name="UnitsMoved">Hidden units the alignment moved, out of <paramref name="HiddenUnits"/>.</param>
/// <param name="HiddenUnits">Hidden units in all (conv channels and fully connected units).</param>
/// <param name="LayerCka">Linear CKA of layer l of one model with layer l of the other, in <see cref="NetworkComparisonResult.Layers"/> order.</param>
/// <param name="LayerCkaDebiased">The same with the debiased HSIC estimator.</param>
/// <param name="Paths">Interpolation paths, one per evaluation data set.</param>
public sealed record PairComparison(
    string First,
    string Second,
    string? Group,
    int FirstIndex,
    int SecondIndex,
    double DistanceBefore,
    double DistanceAfter,
    int UnitsMoved,
    int HiddenUnits,
    IReadOnlyList<double> LayerCka,
    IReadOnlyList<double> LayerCkaDebiased,
    IReadOnlyList<PathComparison> Paths)
{
    /// <summary>True for model k of one group against model k of the other: same initial weights, different data.</summary>
    public bool SameInitialWeights => Group is null;

    /// <summary>The share of the position-wise distance that alignment removes: what is only the order of units.</summary>
    public double PermutationShare => DistanceBefore == 0 ? 0 : (DistanceBefore - DistanceAfter) / DistanceBefore;
}
