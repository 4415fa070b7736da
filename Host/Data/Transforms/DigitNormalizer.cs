using System.Numerics;

namespace InitLab.Data;

/// <summary>
/// MNIST-style normalisation of foreign digit images: crop to the ink's bounding box, fit it into a
/// 20×20 box keeping the aspect ratio with area averaging, and place it in a 28×28 frame so that
/// its centre of mass is at the frame's centre (14, 14). Handles dark-on-light input (Chars74K) by
/// treating the darker values as ink; the output has bright ink on black like MNIST.
/// </summary>
public static class DigitNormalizer
{
    /// <summary>Normalises one greyscale image (<paramref name="width"/>×<paramref name="height"/>, row-major) to Size×Size bytes.</summary>
    /// <returns>A new Size×Size image; all zeros when the input has no ink.</returns>
    public static byte[] Normalize(ReadOnlySpan<byte> grey, int width, int height, DigitNormalizerOptions? options = null)
    {
        options ??= new DigitNormalizerOptions();
        if (width <= 0 || height <= 0 || (long)width * height != grey.Length)
            throw new ArgumentException($"{grey.Length} pixels are not a {width}×{height} image");
        if (options.Size <= 0 || options.Box <= 0 || options.Box > options.Size)
            throw new ArgumentException($"box {options.Box} must be in 1..size, size {options.Size} positive");
        if (!(options.BoundingBoxThreshold >= 0 && options.BoundingBoxThreshold < 1))
            throw new ArgumentException($"bounding-box threshold {options.BoundingBoxThreshold} must be in [0, 1)");
        bool dark = IsDarkInk(grey, width, height, options.Polarity, out float background);
        int size = options.Size;
        var output = new byte[size * size];

        // Bounding box on the bytes directly, so ink floats are only made for the crop.
        int maxInk = 0;
        foreach (var g in grey) maxInk = Math.Max(maxInk, dark ? 255 - g : g);
        float scaleInk = 255f / Math.Max(1f, 255f - background);
        float maxLevel = Math.Max(0f, maxInk - background) * scaleInk;
        if (maxLevel <= 0) return output;
        float t = (float)(options.BoundingBoxThreshold * maxLevel / scaleInk + background);
        int x0 = width, y0 = height, x1 = -1, y1 = -1;
        for (int y = 0; y < height; y++)
        {
            var row = grey.Slice(y * width, width);
            for (int x = 0; x < width; x++)
                if ((dark ? 255 - row[x] : row[x]) > t)
                {
                    if (x < x0) x0 = x;
                    if (x > x1) x1 = x;
                    if (y < y0) y0 = y;
                    if (y > y1) y1 = y;
                }
        }
        if (x1 < 0) return output;
        int bw = x1 - x0 + 1, bh = y1 - y0 + 1;
        var ink = new float[bw * bh];
        double mass = 0, mx = 0, my = 0;
        for (int y = 0; y < bh; y++)
            for (int x = 0; x < bw; x++)
            {
                int g = grey[(y0 + y) * width + x0 + x];
                float v = Math.Max(0f, (dark ? 255 - g : g) - background) * scaleInk;
                ink[y * bw + x] = v;
                mass += v; mx += v * (x + 0.5); my += v * (y + 0.5);
            }
        double scale = (double)options.Box / Math.Max(bw, bh);

        // Put the crop's centre of mass (mapped through the scaling) on the frame centre; then measure
        // the result and correct once more for the small error of sampling at pixel centres and clipping.
        double ox = size / 2.0 - mx / mass * scale, oy = size / 2.0 - my / mass * scale;
        var canvas = new float[size * size];
        Resample(ink, bw, 0, 0, bw, bh, canvas, size, ox, oy, scale);
        var (cx, cy) = CentreOfMassOf<float>(canvas, size, size);
        if (!double.IsNaN(cx) && (Math.Abs(cx - size / 2.0) > 1e-3 || Math.Abs(cy - size / 2.0) > 1e-3))
        {
            ox += size / 2.0 - cx;
            oy += size / 2.0 - cy;
            Resample(ink, bw, 0, 0, bw, bh, canvas, size, ox, oy, scale);
        }

        float peak = 0;
        foreach (var v in canvas) peak = Math.Max(peak, v);
        float gain = options.StretchContrast && peak > 0 ? 255f / peak : 1f;
        for (int i = 0; i < canvas.Length; i++) output[i] = (byte)Math.Clamp(MathF.Round(canvas[i] * gain), 0, 255);
        return output;
    }

    /// <summary>
    /// Centre of mass of a greyscale image weighted by pixel value, in continuous coordinates where
    /// pixel (i, j) covers [i, i+1)×[j, j+1), so a 28×28 frame's centre is (14, 14). NaN for an empty image.
    /// </summary>
    public static (double X, double Y) CentreOfMass(ReadOnlySpan<byte> image, int width, int height) =>
        CentreOfMassOf(image, width, height);

    // one body for the public byte images and the float canvas the normaliser centres
    private static (double X, double Y) CentreOfMassOf<T>(ReadOnlySpan<T> image, int width, int height)
        where T : INumberBase<T>
    {
        double sum = 0, sx = 0, sy = 0;
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                double v = double.CreateTruncating(image[y * width + x]);
                sum += v; sx += v * (x + 0.5); sy += v * (y + 0.5);
            }
        return sum > 0 ? (sx / sum, sy / sum) : (double.NaN, double.NaN);
    }

    /// <summary>Decides polarity (Auto: the border is background) and returns the background's ink level to subtract.</summary>
    private static bool IsDarkInk(ReadOnlySpan<byte> grey, int width, int height, InkPolarity polarity, out float background)
    {
        double border = 0;
        int n = 0;
        for (int x = 0; x < width; x++) { border += grey[x] + grey[(height - 1) * width + x]; n += 2; }
        for (int y = 1; y < height - 1; y++) { border += grey[y * width] + grey[y * width + width - 1]; n += 2; }
        border /= n;
        bool dark = polarity switch
        {
            InkPolarity.Dark => true,
            InkPolarity.Light => false,
            _ => border > 127.5,
        };
        background = (float)Math.Max(0, dark ? 255 - border : border);
        return dark;
    }

    /// <summary>
    /// Area-averaging resample of the crop [x0, x0+bw)×[y0, y0+bh) onto the destination rectangle
    /// starting at (ox, oy) with the given scale; each destination pixel is the mean ink over the
    /// source area it covers (zero outside the crop). Separable: rows first, then columns.
    /// </summary>
    private static void Resample(float[] src, int srcWidth, int x0, int y0, int bw, int bh, float[] dst, int size, double ox, double oy, double scale)
    {
        var wx = Weights(bw, size, ox, scale);
        var wy = Weights(bh, size, oy, scale);
        var rows = new float[bh * size];
        for (int v = 0; v < bh; v++)
        {
            int rowStart = (y0 + v) * srcWidth + x0;
            var row = rows.AsSpan(v * size, size);
            for (int X = 0; X < size; X++)
            {
                float acc = 0;
                foreach (var (u, w) in wx[X]) acc += w * src[rowStart + u];
                row[X] = acc;
            }
        }
        Array.Clear(dst);
        for (int Y = 0; Y < size; Y++)
            foreach (var (v, w) in wy[Y])
                for (int X = 0; X < size; X++)
                    dst[Y * size + X] += w * rows[v * size + X];
    }

    /// <summary>For each destination index, the source indices it overlaps and the weight (overlap × scale).</summary>
    private static List<(int Index, float Weight)>[] Weights(int srcLength, int size, double offset, double scale)
    {
        var result = new List<(int, float)>[size];
        for (int d = 0; d < size; d++)
        {
            var list = new List<(int, float)>();
            double a = (d - offset) / scale, b = (d + 1 - offset) / scale;
            int first = Math.Max(0, (int)Math.Floor(a)), last = Math.Min(srcLength - 1, (int)Math.Ceiling(b) - 1);
            for (int s = first; s <= last; s++)
            {
                double overlap = Math.Min(b, s + 1) - Math.Max(a, s);
                if (overlap > 0) list.Add((s, (float)(overlap * scale)));
            }
            result[d] = list;
        }
        return result;
    }
}
