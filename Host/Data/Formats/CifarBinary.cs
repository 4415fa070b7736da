namespace InitLab.Data;

/// <summary>
/// Parser for the CIFAR "binary version" record files: each record is the label byte(s) followed by
/// 3,072 pixel bytes (1,024 R, 1,024 G, 1,024 B, each 32×32 row-major), which is already C×H×W.
/// </summary>
internal static class CifarBinary
{
    public const int Side = 32;
    public const int PixelBytes = 3 * Side * Side;

    /// <summary>
    /// Parses records with <paramref name="labelBytes"/> leading label bytes (CIFAR-10: 1 fine; CIFAR-100: coarse then fine)
    /// and <paramref name="channels"/> 32×32 planes (3 for the official files, 1 for the grey derivative).
    /// </summary>
    public static (byte[] Pixels, int[] Fine, int[]? Coarse) Read(SourceContent content, int labelBytes, int fineClasses, int coarseClasses, int channels = 3)
    {
        int pixelBytes = channels * Side * Side;
        int recordSize = labelBytes + pixelBytes;
        var s = content.BodySpan;
        if (s.Length == 0)
            throw new DataFormatException(content.Path, 0, $"at least one {recordSize}-byte record", "an empty file");
        if (s.Length % recordSize != 0)
            throw new DataFormatException(content.Path, s.Length - s.Length % recordSize,
                $"a whole number of {recordSize}-byte records", $"{s.Length} bytes ({s.Length % recordSize} left over: truncated or wrong format)");
        int n = s.Length / recordSize;
        var pixels = new byte[(long)n * pixelBytes];
        var fine = new int[n];
        var coarse = labelBytes == 2 ? new int[n] : null;
        for (int i = 0; i < n; i++)
        {
            int at = i * recordSize;
            if (coarse is not null)
            {
                coarse[i] = Check(content.Path, at, s[at], coarseClasses, "coarse label");
                fine[i] = Check(content.Path, at + 1, s[at + 1], fineClasses, "fine label");
            }
            else fine[i] = Check(content.Path, at, s[at], fineClasses, "label");
            s.Slice(at + labelBytes, pixelBytes).CopyTo(pixels.AsSpan(i * pixelBytes, pixelBytes));
        }
        return (pixels, fine, coarse);
    }

    private static int Check(string path, long offset, byte value, int classes, string what) =>
        value < classes ? value : throw new DataFormatException(path, offset, $"a {what} in 0..{classes - 1}", value.ToString());

    /// <summary>Finds <paramref name="name"/> or <paramref name="name"/>.gz in <paramref name="dir"/>.</summary>
    public static string Locate(string dir, string name) =>
        File.Exists(Path.Combine(dir, name + ".gz")) ? Path.Combine(dir, name + ".gz")
        : File.Exists(Path.Combine(dir, name)) ? Path.Combine(dir, name)
        : throw new FileNotFoundException($"{dir}: CIFAR file {name}[.gz] not found", Path.Combine(dir, name));

    /// <summary>Class names from a one-name-per-line text file if present, else the built-in list (which it must agree with in count).</summary>
    public static IReadOnlyList<string> Names(string dir, string metaFile, IReadOnlyList<string> builtIn)
    {
        var p = Path.Combine(dir, metaFile);
        if (!File.Exists(p)) return builtIn;
        var names = File.ReadAllLines(p).Select(l => l.Trim()).Where(l => l.Length > 0).ToArray();
        if (names.Length != builtIn.Count)
            throw new DataFormatException(p, -1, $"{builtIn.Count} class names, one per line", $"{names.Length}");
        return names;
    }
}
