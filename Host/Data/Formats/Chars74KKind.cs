namespace InitLab.Data;

/// <summary>The three parts of Chars74K's English set.</summary>
public enum Chars74KKind
{
    /// <summary>Characters drawn on a tablet (EnglishHnd): 55 per class.</summary>
    Hnd,
    /// <summary>Characters rendered from computer fonts (EnglishFnt).</summary>
    Fnt,
    /// <summary>Characters cut from natural images (EnglishImg).</summary>
    Img,
}

/// <summary>Options for <see cref="Chars74K"/>.</summary>
public sealed record Chars74KOptions
{
    /// <summary>Which part to read (default handwritten).</summary>
    public Chars74KKind Kind { get; init; } = Chars74KKind.Hnd;

    /// <summary>Only the digits 0–9 (10 classes, default) or all 62 classes (0–9, A–Z, a–z).</summary>
    public bool DigitsOnly { get; init; } = true;

    /// <summary>MNIST-style normalisation applied to each image (default: dark ink, 28×28, 20×20 box).</summary>
    public DigitNormalizerOptions Normalizer { get; init; } = new() { Polarity = InkPolarity.Dark };
}

/// <summary>One Chars74K image file and its class.</summary>
/// <param name="Path">The PNG file.</param>
/// <param name="Label">Class index: 0–9 digits, 10–35 'A'–'Z', 36–61 'a'–'z'.</param>
public sealed record Chars74KSample(string Path, int Label);
