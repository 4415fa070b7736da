namespace InitLab.Data;

/// <summary>Which pixel values are ink in a greyscale image.</summary>
public enum InkPolarity
{
    /// <summary>Ink is bright on a dark background (MNIST).</summary>
    Light,
    /// <summary>Ink is dark on a bright background (Chars74K, scanned paper).</summary>
    Dark,
    /// <summary>Decide per image from the border: the border is background.</summary>
    Auto,
}
