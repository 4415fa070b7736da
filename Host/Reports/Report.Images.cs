using System.Text;

namespace InitLab.Reports;

// Image tiles (filters, digits) as inline greyscale PNGs: crisp when enlarged, no plotly needed.
public sealed partial class Report
{
    /// <summary>
    /// Appends a grid of small greyscale images, each <paramref name="height"/>×<paramref name="width"/>
    /// values in row-major order, shown enlarged without smoothing. Labels, if given, are one per image.
    /// Values must be finite; <paramref name="scale"/> chooses how they map to grey levels.
    /// </summary>
    public Report ImageGrid(string title, float[][] images, int height, int width, IReadOnlyList<string>? labels = null,
        ImageScale scale = ImageScale.PerImage, string? caption = null)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (height <= 0 || width <= 0)
            throw new ArgumentException($"Image grid '{title}': image size must be positive, got {height}×{width}.");
        if (labels is not null && labels.Count != images.Length)
            throw new ArgumentException(
                $"Image grid '{title}': {images.Length} images but {labels.Count} labels.", nameof(labels));
        for (var i = 0; i < images.Length; i++)
        {
            var image = images[i] ?? throw new ArgumentException($"Image grid '{title}': image {i} is null.", nameof(images));
            if (image.Length != height * width)
                throw new ArgumentException(
                    $"Image grid '{title}': image {i} has {image.Length} values, expected {height}×{width} = {height * width}.", nameof(images));
            for (var p = 0; p < image.Length; p++)
                if (!float.IsFinite(image[p]))
                    throw new ArgumentException(
                        $"Image grid '{title}': image {i} pixel {p} (row {p / width}, column {p % width}) is {image[p]}.", nameof(images));
        }

        var (sharedLo, sharedHi) = scale == ImageScale.Shared ? Range(images.SelectMany(x => x)) : (0f, 1f);
        // Enlarge tiles to about 72 px on their long side, by a whole factor so pixels stay square.
        var zoom = Math.Clamp(72 / Math.Max(height, width), 1, 16);
        var sb = new StringBuilder("<figure class=\"images\">");
        if (!string.IsNullOrEmpty(title)) sb.Append("<h3>").Append(Html.Escape(title)).Append("</h3>");
        sb.Append("<div class=\"tiles\">");
        for (var i = 0; i < images.Length; i++)
        {
            var (lo, hi) = scale switch
            {
                ImageScale.PerImage => Range(images[i]),
                ImageScale.Shared => (sharedLo, sharedHi),
                _ => (0f, 1f),
            };
            var png = GreyscalePng.Encode(ToGrey(images[i], lo, hi), width, height);
            var label = labels?[i];
            sb.Append("<figure class=\"tile\"><img alt=\"").Append(Html.Escape(label ?? $"image {i}"))
              .Append("\" width=\"").Append(width * zoom).Append("\" height=\"").Append(height * zoom)
              .Append("\" src=\"data:image/png;base64,").Append(Convert.ToBase64String(png)).Append("\">");
            if (label is not null) sb.Append("<figcaption>").Append(Html.Escape(label)).Append("</figcaption>");
            sb.Append("</figure>");
        }
        sb.Append("</div>");
        if (!string.IsNullOrEmpty(caption)) sb.Append("<figcaption>").Append(Html.Escape(caption)).Append("</figcaption>");
        sb.Append("</figure>");
        _blocks.Add(sb.ToString());
        return this;
    }

    private static (float Lo, float Hi) Range(IEnumerable<float> values)
    {
        float lo = float.PositiveInfinity, hi = float.NegativeInfinity;
        foreach (var v in values) { lo = Math.Min(lo, v); hi = Math.Max(hi, v); }
        return float.IsFinite(lo) ? (lo, hi) : (0f, 1f);
    }

    /// <summary>Maps [lo, hi] to 0…255, clipping outside; a constant image (lo = hi) is mid grey.</summary>
    private static byte[] ToGrey(float[] image, float lo, float hi)
    {
        var grey = new byte[image.Length];
        var span = (double)hi - lo;
        for (var p = 0; p < image.Length; p++)
        {
            var t = span > 0 ? (image[p] - (double)lo) / span : 0.5;
            grey[p] = (byte)Math.Round(255 * Math.Clamp(t, 0, 1));
        }
        return grey;
    }
}
