namespace InitLab.Data;

/// <summary>Options for <see cref="DigitNormalizer"/>; the defaults reproduce MNIST's recipe.</summary>
public sealed record DigitNormalizerOptions
{
    /// <summary>Side of the output image (MNIST: 28).</summary>
    public int Size { get; init; } = 28;

    /// <summary>Side of the box the ink's bounding box is fitted into, keeping aspect ratio (MNIST: 20).</summary>
    public int Box { get; init; } = 20;

    /// <summary>Which values are ink in the input; the output always has bright ink on black, as MNIST.</summary>
    public InkPolarity Polarity { get; init; } = InkPolarity.Auto;

    /// <summary>Pixels with ink above this fraction of the brightest ink define the bounding box (ignores faint noise).</summary>
    public double BoundingBoxThreshold { get; init; } = 0.25;

    /// <summary>Rescale so the strongest output pixel is 255 (thin strokes shrunk 40× would otherwise be faint).</summary>
    public bool StretchContrast { get; init; } = true;
}
