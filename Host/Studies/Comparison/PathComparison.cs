namespace InitLab.Studies.Comparison;

/// <summary>One point of an interpolation path.</summary>
public sealed record PathPoint(double Alpha, double Loss, double Accuracy);

/// <summary>
/// The linear path between two models scored on one data set, before and after aligning the second
/// to the first. Barrier = highest loss on the path − mean of the endpoints' losses.
/// </summary>
public sealed record PathComparison(string DataName, IReadOnlyList<PathPoint> Before, double BarrierBefore,
    IReadOnlyList<PathPoint> After, double BarrierAfter);
