namespace InitLab.Data;

/// <summary>Stroke skeletons of the digits 0–9 in a unit box (x right, y down), as polylines.</summary>
internal static class Glyphs
{
    private static readonly (double X, double Y)[][][] All = Build();

    public static (double X, double Y)[][] Strokes(int digit) => All[digit];

    private static (double, double)[] Line(params (double, double)[] points) => points;

    /// <summary>Elliptic arc; angles in degrees, counter-clockwise as seen on screen (y up).</summary>
    private static (double, double)[] Arc(double cx, double cy, double rx, double ry, double from, double to)
    {
        int steps = Math.Max(4, (int)(Math.Abs(to - from) / 15));
        var p = new (double, double)[steps + 1];
        for (int i = 0; i <= steps; i++)
        {
            double t = (from + (to - from) * i / steps) * Math.PI / 180;
            p[i] = (cx + rx * Math.Cos(t), cy - ry * Math.Sin(t));
        }
        return p;
    }

    private static (double X, double Y)[][][] Build() =>
    [
        [Arc(0.5, 0.5, 0.3, 0.45, 0, 360)],
        [Line((0.33, 0.22), (0.52, 0.05), (0.52, 0.95))],
        [[.. Arc(0.5, 0.3, 0.28, 0.25, 160, -30), (0.18, 0.95), (0.84, 0.95)]],
        [Arc(0.48, 0.28, 0.27, 0.23, 150, -90), Arc(0.48, 0.72, 0.31, 0.23, 90, -150)],
        [Line((0.66, 0.95), (0.66, 0.05), (0.14, 0.66), (0.86, 0.66))],
        [[(0.8, 0.05), (0.3, 0.05), (0.26, 0.46), .. Arc(0.5, 0.68, 0.3, 0.27, 135, -150)]],
        [Arc(0.78, 0.7, 0.56, 0.65, 95, 180), Arc(0.5, 0.7, 0.28, 0.25, 180, 540)],
        [Line((0.14, 0.05), (0.86, 0.05), (0.4, 0.95))],
        [Arc(0.5, 0.27, 0.24, 0.22, 270, 630), Arc(0.5, 0.72, 0.29, 0.23, 90, 450)],
        [Arc(0.5, 0.3, 0.28, 0.25, 0, 360), Line((0.78, 0.3), (0.74, 0.62), (0.66, 0.95))],
    ];
}
