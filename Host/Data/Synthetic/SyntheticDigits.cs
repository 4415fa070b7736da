namespace InitLab.Data;

/// <summary>
/// Procedurally drawn digits 0–9, 1×28×28, bright ink on black like MNIST: each digit is a few
/// strokes (lines and elliptic arcs) put through a seeded random affine jitter and rendered with
/// anti-aliased edges. Needs no files: the offline fallback and the data of fast tests.
/// </summary>
/// <remarks>
/// Image i depends only on (seed, i), so generation is parallel and still bit-for-bit deterministic.
/// Classes are balanced: each label occurs ⌊n/10⌋ or ⌈n/10⌉ times, in seeded random order.
/// </remarks>
public static class SyntheticDigits
{
    private const int Side = 28;

    /// <summary>Generates <paramref name="count"/> images with balanced labels.</summary>
    public static DataSet Generate(int count, int seed, SyntheticDigitsOptions? options = null)
    {
        if (count < 0) throw new ArgumentOutOfRangeException(nameof(count), count, "must be non-negative");
        options ??= new SyntheticDigitsOptions();
        // Written as positive conditions so NaN fails them too.
        bool valid = options.MinScale > 0 && options.MaxScale >= options.MinScale && double.IsFinite(options.MaxScale)
                     && options.MinStrokeWidth > 0 && options.MaxStrokeWidth >= options.MinStrokeWidth && double.IsFinite(options.MaxStrokeWidth)
                     && options.MaxRotationDegrees >= 0 && double.IsFinite(options.MaxRotationDegrees)
                     && options.MaxShear >= 0 && double.IsFinite(options.MaxShear)
                     && options.MaxShift >= 0 && double.IsFinite(options.MaxShift);
        if (!valid) throw new ArgumentException($"impossible synthetic digit options: {options}");
        var labels = new int[count];
        for (int i = 0; i < count; i++) labels[i] = i % 10;
        new SeededRandom(seed, -1).Shuffle<int>(labels);
        var pixels = new byte[(long)count * Side * Side];
        Parallel.For(0, count, i =>
        {
            var rng = new SeededRandom(seed, i);
            Render(labels[i], rng, options, pixels.AsSpan(i * Side * Side, Side * Side));
        });
        string fp = PixelTransforms.Derive($"seed={seed};count={count};{options}", "synthetic-digits-v1");
        return new DataSet($"synthetic/{seed}", pixels, labels, 1, Side, Side, Mnist.ClassNames, fp);
    }

    /// <summary>Draws one digit into a 28×28 buffer with the given generator.</summary>
    private static void Render(int digit, SeededRandom rng, SyntheticDigitsOptions o, Span<byte> image)
    {
        double angle = rng.Range(-o.MaxRotationDegrees, o.MaxRotationDegrees) * Math.PI / 180;
        double shear = rng.Range(-o.MaxShear, o.MaxShear);
        double sy = rng.Range(o.MinScale, o.MaxScale) * 20;
        double sx = sy * rng.Range(0.8, 1.1);
        double tx = rng.Range(-o.MaxShift, o.MaxShift), ty = rng.Range(-o.MaxShift, o.MaxShift);
        double half = rng.Range(o.MinStrokeWidth, o.MaxStrokeWidth) / 2;
        double ink = rng.Range(0.8, 1.0);
        double cos = Math.Cos(angle), sin = Math.Sin(angle);

        var strokes = Glyphs.Strokes(digit);
        // Like MNIST, centre by centre of mass (stroke-length weighted), not by bounding box.
        double gx = 0, gy = 0, total = 0;
        foreach (var stroke in strokes)
            for (int k = 0; k + 1 < stroke.Length; k++)
            {
                double len = Math.Sqrt(Math.Pow(stroke[k + 1].X - stroke[k].X, 2) + Math.Pow(stroke[k + 1].Y - stroke[k].Y, 2));
                gx += len * (stroke[k].X + stroke[k + 1].X) / 2;
                gy += len * (stroke[k].Y + stroke[k + 1].Y) / 2;
                total += len;
            }
        gx /= total;
        gy /= total;

        // Unit glyph coordinates (0..1, y down) → scaled, sheared, rotated about the centre of mass.
        (double X, double Y) Map((double X, double Y) q)
        {
            double x = (q.X - gx) * sx, y = (q.Y - gy) * sy;
            x += shear * y;
            return (cos * x - sin * y, sin * x + cos * y);
        }

        var segments = new List<(double Ax, double Ay, double Bx, double By)>();
        double minX = double.MaxValue, minY = double.MaxValue, maxX = double.MinValue, maxY = double.MinValue;
        foreach (var stroke in strokes)
            for (int k = 0; k + 1 < stroke.Length; k++)
            {
                var a = Map(stroke[k]);
                var b = Map(stroke[k + 1]);
                segments.Add((a.X, a.Y, b.X, b.Y));
                minX = Math.Min(minX, Math.Min(a.X, b.X)); maxX = Math.Max(maxX, Math.Max(a.X, b.X));
                minY = Math.Min(minY, Math.Min(a.Y, b.Y)); maxY = Math.Max(maxY, Math.Max(a.Y, b.Y));
            }
        // Place the centre of mass at the frame centre plus jitter, but keep the whole stroke inside the frame.
        double margin = half + 1;
        double ox = Math.Clamp(Side / 2.0 + tx, margin - minX, Side - margin - maxX);
        double oy = Math.Clamp(Side / 2.0 + ty, margin - minY, Side - margin - maxY);
        for (int k = 0; k < segments.Count; k++)
        {
            var g = segments[k];
            segments[k] = (g.Ax + ox, g.Ay + oy, g.Bx + ox, g.By + oy);
        }

        // Distance to the nearest stroke per pixel, visiting for each segment only the pixels it can reach;
        // pixels beyond every segment's reach get no ink, exactly as with an exhaustive search.
        Span<double> best = stackalloc double[Side * Side];
        best.Fill(double.MaxValue);
        double reach = half + 1;
        foreach (var g in segments)
        {
            int xa = Math.Max(0, (int)Math.Floor(Math.Min(g.Ax, g.Bx) - reach)), xb = Math.Min(Side - 1, (int)Math.Ceiling(Math.Max(g.Ax, g.Bx) + reach));
            int ya = Math.Max(0, (int)Math.Floor(Math.Min(g.Ay, g.By) - reach)), yb = Math.Min(Side - 1, (int)Math.Ceiling(Math.Max(g.Ay, g.By) + reach));
            for (int py = ya; py <= yb; py++)
                for (int px = xa; px <= xb; px++)
                {
                    int i = py * Side + px;
                    best[i] = Math.Min(best[i], DistanceSquared(px + 0.5, py + 0.5, g));
                }
        }
        for (int i = 0; i < best.Length; i++)
        {
            // Linear edge ramp one pixel wide: a cheap, smooth approximation of area coverage.
            double coverage = best[i] == double.MaxValue ? 0 : Math.Clamp(half + 0.5 - Math.Sqrt(best[i]), 0, 1);
            image[i] = (byte)Math.Round(255 * ink * coverage);
        }
    }

    private static double DistanceSquared(double x, double y, (double Ax, double Ay, double Bx, double By) s)
    {
        double dx = s.Bx - s.Ax, dy = s.By - s.Ay;
        double len2 = dx * dx + dy * dy;
        double t = len2 > 0 ? Math.Clamp(((x - s.Ax) * dx + (y - s.Ay) * dy) / len2, 0, 1) : 0;
        double ex = s.Ax + t * dx - x, ey = s.Ay + t * dy - y;
        return ex * ex + ey * ey;
    }
}
