namespace InitLab.Data;

/// <summary>Pixel-level conversions: byte→float scaling, polarity inversion and greyscale by BT.601 luma.</summary>
public static class PixelTransforms
{
    /// <summary>The factor a <see cref="PixelScale"/> multiplies bytes by.</summary>
    public static float Factor(PixelScale scale) => scale switch
    {
        PixelScale.Unit255 => 1f / 255f,
        PixelScale.Caffe256 => 1f / 256f,
        _ => throw new ArgumentOutOfRangeException(nameof(scale), scale, "unknown pixel scale"),
    };

    /// <summary>Writes <c>source[i] × factor</c> into <paramref name="destination"/> (same length).</summary>
    public static void ToFloat(ReadOnlySpan<byte> source, Span<float> destination, PixelScale scale)
    {
        if (destination.Length != source.Length)
            throw new ArgumentException($"destination has {destination.Length} floats for {source.Length} bytes");
        float factor = Factor(scale);
        int i = 0;
        if (System.Numerics.Vector.IsHardwareAccelerated)
        {
            // Widen bytes to floats a vector at a time; the product is the same as the scalar tail's.
            int w = System.Numerics.Vector<byte>.Count, q = System.Numerics.Vector<float>.Count;
            var f = new System.Numerics.Vector<float>(factor);
            for (; i <= source.Length - w; i += w)
            {
                var b = new System.Numerics.Vector<byte>(source[i..]);
                System.Numerics.Vector.Widen(b, out var lo, out var hi);
                System.Numerics.Vector.Widen(lo, out var a0, out var a1);
                System.Numerics.Vector.Widen(hi, out var a2, out var a3);
                (System.Numerics.Vector.ConvertToSingle(a0) * f).CopyTo(destination[i..]);
                (System.Numerics.Vector.ConvertToSingle(a1) * f).CopyTo(destination[(i + q)..]);
                (System.Numerics.Vector.ConvertToSingle(a2) * f).CopyTo(destination[(i + 2 * q)..]);
                (System.Numerics.Vector.ConvertToSingle(a3) * f).CopyTo(destination[(i + 3 * q)..]);
            }
        }
        for (; i < source.Length; i++) destination[i] = source[i] * factor;
    }

    /// <summary>Inverts polarity in place: v → 255 − v.</summary>
    public static void Invert(Span<byte> pixels)
    {
        for (int i = 0; i < pixels.Length; i++) pixels[i] = (byte)(255 - pixels[i]);
    }

    /// <summary>Inverts a data set's polarity into a new set (white ink on black ↔ black ink on white).</summary>
    public static DataSet Invert(DataSet data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var pixels = (byte[])data.Pixels.Clone();
        Invert(pixels);
        return new DataSet(data.Name + "/inverted", pixels, data.Labels, data.Channels, data.Height, data.Width, data.ClassNames,
            Derive(data.Fingerprint, "invert"), data.CoarseLabels, data.CoarseClassNames);
    }

    /// <summary>BT.601 luma of one RGB pixel: round(0.299 R + 0.587 G + 0.114 B).</summary>
    public static byte Luma(byte r, byte g, byte b) =>
        // Integer form of the BT.601 weights (299/587/114 per mille), rounded half up.
        (byte)((299 * r + 587 * g + 114 * b + 500) / 1000);

    /// <summary>Greyscale from interleaved RGB (or RGBA, <paramref name="components"/> = 4) pixels.</summary>
    public static void LumaInterleaved(ReadOnlySpan<byte> rgb, int components, Span<byte> grey)
    {
        if (components is < 3 or > 4) throw new ArgumentOutOfRangeException(nameof(components), components, "must be 3 (RGB) or 4 (RGBA)");
        if (rgb.Length != grey.Length * components)
            throw new ArgumentException($"{rgb.Length} bytes are not {grey.Length} pixels of {components} components");
        for (int i = 0, j = 0; i < grey.Length; i++, j += components) grey[i] = Luma(rgb[j], rgb[j + 1], rgb[j + 2]);
    }

    /// <summary>Greyscale from planar RGB (all R, then all G, then all B, as CIFAR stores them).</summary>
    public static void LumaPlanar(ReadOnlySpan<byte> rgb, Span<byte> grey)
    {
        int n = grey.Length;
        if (rgb.Length != 3 * n) throw new ArgumentException($"{rgb.Length} bytes are not 3 planes of {n} pixels");
        for (int i = 0; i < n; i++) grey[i] = Luma(rgb[i], rgb[n + i], rgb[2 * n + i]);
    }

    /// <summary>A 3-channel data set converted to 1 channel by BT.601 luma.</summary>
    public static DataSet Greyscale(DataSet data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.Channels != 3) throw new ArgumentException($"{data.Name}: greyscale needs 3 channels, has {data.Channels}");
        int plane = data.Height * data.Width;
        var grey = new byte[(long)data.Count * plane];
        for (int i = 0; i < data.Count; i++) LumaPlanar(data.Image(i), grey.AsSpan(i * plane, plane));
        return new DataSet(data.Name + "/grey", grey, data.Labels, 1, data.Height, data.Width, data.ClassNames,
            Derive(data.Fingerprint, "luma601"), data.CoarseLabels, data.CoarseClassNames);
    }

    internal static string Derive(string fingerprint, string step) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(step + ":" + fingerprint)));
}
