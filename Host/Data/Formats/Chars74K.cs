using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace InitLab.Data;

/// <summary>
/// Reader for Chars74K (English) folders: <c>English/{Hnd,Fnt,Img}/SampleNNN/*.png</c>, where Sample001–010
/// are the digits, 011–036 'A'–'Z' and 037–062 'a'–'z'. The official archives' extra levels
/// (<c>Hnd/Img/</c>, <c>Img/GoodImg/Bmp/</c>) are found too. Images are black ink on white and of any size;
/// <see cref="Load"/> turns each into an MNIST-style 1×28×28 image (bright ink on black) with <see cref="DigitNormalizer"/>.
/// </summary>
public static partial class Chars74K
{
    /// <summary>The 62 class names: "0".."9", "A".."Z", "a".."z".</summary>
    public static readonly IReadOnlyList<string> AllClassNames =
        [.. Enumerable.Range(0, 10).Select(i => i.ToString()), .. Enumerable.Range(0, 26).Select(i => ((char)('A' + i)).ToString()),
         .. Enumerable.Range(0, 26).Select(i => ((char)('a' + i)).ToString())];

    [GeneratedRegex(@"^Sample(\d{3})$")]
    private static partial Regex SampleFolder();

    /// <summary>The folder holding the SampleNNN folders of <paramref name="kind"/> under <paramref name="root"/>; null if absent.</summary>
    public static string? FindDirectory(string root, Chars74KKind kind)
    {
        string k = kind.ToString();
        var bases = new[] { Path.Combine(root, "chars74k", "English", k), Path.Combine(root, "English", k), Path.Combine(root, k), root };
        var inner = new[] { "", "Img", Path.Combine("GoodImg", "Bmp"), "Bmp" };
        foreach (var b in bases)
            foreach (var i in inner)
            {
                var d = Path.Combine(b, i);
                if (Directory.Exists(Path.Combine(d, "Sample001"))) return d;
            }
        return null;
    }

    /// <summary>Lists the image files and their labels without decoding them, sorted by class then file name.</summary>
    /// <exception cref="DirectoryNotFoundException">No SampleNNN folders for the kind under the root.</exception>
    /// <exception cref="DataFormatException">A SampleNNN folder number outside 001–062.</exception>
    public static IReadOnlyList<Chars74KSample> Index(string root, Chars74KOptions? options = null)
    {
        options ??= new Chars74KOptions();
        var dir = FindDirectory(root, options.Kind)
                  ?? throw new DirectoryNotFoundException($"{root}: no Chars74K English/{options.Kind}/Sample001 folder found");
        var samples = new List<Chars74KSample>();
        foreach (var sub in Directory.GetDirectories(dir).Order(StringComparer.Ordinal))
        {
            var m = SampleFolder().Match(Path.GetFileName(sub));
            if (!m.Success) continue;
            int label = int.Parse(m.Groups[1].Value) - 1;
            if (label is < 0 or >= 62) throw new DataFormatException(sub, -1, "a folder Sample001..Sample062", Path.GetFileName(sub));
            if (options.DigitsOnly && label >= 10) continue;
            foreach (var f in Directory.GetFiles(sub, "*.png").Order(StringComparer.Ordinal))
                samples.Add(new Chars74KSample(f, label));
        }
        return samples;
    }

    /// <summary>Decodes and normalises every image to 1×28×28 (MNIST polarity). Parallel, with results in index order.</summary>
    /// <exception cref="DataFormatException">A PNG cannot be decoded (the message names it).</exception>
    public static DataSet Load(string root, Chars74KOptions? options = null)
    {
        options ??= new Chars74KOptions();
        var samples = Index(root, options);
        int size = options.Normalizer.Size, area = size * size;
        var pixels = new byte[(long)samples.Count * area];
        var shas = new byte[samples.Count][];
        ParallelRead.Run(samples.Count, i =>
        {
            var bytes = File.ReadAllBytes(samples[i].Path);
            shas[i] = SHA256.HashData(bytes);
            var grey = PngDecoder.DecodeGrey(samples[i].Path, bytes, out int w, out int h);
            DigitNormalizer.Normalize(grey, w, h, options.Normalizer).CopyTo(pixels.AsSpan(i * area, area));
        });
        var fp = Convert.ToHexStringLower(SHA256.HashData(shas.SelectMany(s => s).ToArray()));
        var names = options.DigitsOnly ? AllClassNames.Take(10).ToArray() : AllClassNames;
        return new DataSet($"chars74k/{options.Kind}" + (options.DigitsOnly ? "/digits" : ""), pixels,
            [.. samples.Select(s => s.Label)], 1, size, size, names, fp);
    }
}
