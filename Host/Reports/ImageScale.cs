namespace InitLab.Reports;

/// <summary>How <see cref="Report.ImageGrid"/> maps pixel values to grey levels.</summary>
public enum ImageScale
{
    /// <summary>Each image is stretched from its own minimum (black) to its own maximum (white).</summary>
    PerImage,
    /// <summary>One range for all images, so tiles can be compared with each other.</summary>
    Shared,
    /// <summary>Values in [0, 1] map to black…white as they are; values outside are clipped.</summary>
    Unit,
}
