using InitLab.Data;

namespace InitLab.Studies.Comparison;

/// <summary>How <see cref="NetworkComparison"/> compares trained networks.</summary>
public sealed record ComparisonOptions
{
    /// <summary>Probe images (the first of the probe set) whose layer outputs CKA compares.</summary>
    public int ProbeCount { get; init; } = 500;

    /// <summary>Values of α on each interpolation path, 0 and 1 included (the issue asks for 11 to 21).</summary>
    public int InterpolationPoints { get; init; } = 11;

    /// <summary>At most this many images of each evaluation set score an interpolation path.</summary>
    public int EvaluationLimit { get; init; } = 500;

    /// <summary>Seeds the order in which weight matching visits the layers.</summary>
    public int AlignmentSeed { get; init; }

    /// <summary>How byte pixels become the models' inputs (the scale they were trained with).</summary>
    public PixelScale Scale { get; init; } = PixelScale.Caffe256;

    /// <summary>Throws naming the first impossible option.</summary>
    public void Validate()
    {
        if (ProbeCount < 4) throw new ArgumentOutOfRangeException(nameof(ProbeCount), ProbeCount, "CKA needs at least 4 probe images (the debiased estimator divides by n(n − 3)).");
        if (InterpolationPoints < 2) throw new ArgumentOutOfRangeException(nameof(InterpolationPoints), InterpolationPoints, "An interpolation path needs at least its two endpoints.");
        if (EvaluationLimit < 1) throw new ArgumentOutOfRangeException(nameof(EvaluationLimit), EvaluationLimit, "Paths need at least one evaluation image.");
    }
}
