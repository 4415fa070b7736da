namespace InitLab.Data;

/// <summary>Options for <see cref="SyntheticDigits.Generate"/>: the ranges of the random affine jitter and stroke width.</summary>
public sealed record SyntheticDigitsOptions
{
    /// <summary>Largest rotation, degrees (uniform in ±this).</summary>
    public double MaxRotationDegrees { get; init; } = 12;

    /// <summary>Largest horizontal shear factor (uniform in ±this).</summary>
    public double MaxShear { get; init; } = 0.25;

    /// <summary>Scale range applied to the 20-pixel glyph box (MNIST digits are about 20 px tall).</summary>
    public double MinScale { get; init; } = 0.8;

    /// <summary>Upper end of the scale range.</summary>
    public double MaxScale { get; init; } = 1.05;

    /// <summary>Largest translation in pixels along each axis (uniform in ±this).</summary>
    public double MaxShift { get; init; } = 2;

    /// <summary>Stroke width range in pixels.</summary>
    public double MinStrokeWidth { get; init; } = 1.4;

    /// <summary>Upper end of the stroke width range.</summary>
    public double MaxStrokeWidth { get; init; } = 2.8;
}
