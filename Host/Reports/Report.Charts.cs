namespace InitLab.Reports;

// Plotly charts of a report. Shapes are checked up front so a bad call fails with the offending
// shape or value named, instead of producing a page that silently draws nothing.
public sealed partial class Report
{
    /// <summary>
    /// Appends a line chart with one line per series (non-finite Y values are drawn as gaps). With
    /// <paramref name="logY"/> the y axis is logarithmic (loss curves); non-positive values are then not drawn.
    /// </summary>
    public Report LineChart(string title, string xLabel, string yLabel, IEnumerable<Series> series, string? caption = null,
        bool logY = false)
    {
        ArgumentNullException.ThrowIfNull(series);
        var all = series.ToList();
        if (all.Count == 0) throw new ArgumentException($"Line chart '{title}' needs at least one series.", nameof(series));
        var figure = new PlotlyFigure(title, height: 460);
        foreach (var s in all)
        {
            s.Validate(nameof(series));
            var trace = figure.AddTrace("scatter");
            trace.SetProperty("name", Html.EscapeForPlotly(s.Name));
            trace.SetProperty("mode", s.X.Length <= 40 ? "lines+markers" : "lines");
            trace.SetProperty("x", s.X);
            trace.SetProperty("y", PlotlyFigure.Gaps(s.Y));
        }
        figure.SetAxis("xaxis", xLabel);
        figure.SetAxis("yaxis", yLabel, logY ? new Dictionary<string, object> { ["type"] = "log" } : null);
        return AddPlot(figure, caption);
    }

    /// <summary>
    /// Appends a filled contour plot of a surface with optimiser paths drawn over it.
    /// <paramref name="z"/> is indexed [row, column] = value at (xs[column], ys[row]), so its shape must be
    /// ys.Length × xs.Length; xs and ys must be finite and strictly increasing. Non-finite z values are gaps.
    /// </summary>
    public Report ContourWithPaths(string title, double[] xs, double[] ys, double[,] z, IEnumerable<Series> paths,
        string? caption = null, string xLabel = "x", string yLabel = "y")
    {
        CheckGrid(title, xs, ys, z);
        ArgumentNullException.ThrowIfNull(paths);
        var figure = new PlotlyFigure(title, height: 620);
        var surface = figure.AddTrace("contour");
        surface.SetProperty("name", "surface");
        surface.SetProperty("x", xs);
        surface.SetProperty("y", ys);
        surface.SetProperty("z", PlotlyFigure.Rows(z));
        surface.SetProperty("colorscale", "Viridis");
        surface.SetProperty("ncontours", 25);
        surface.SetProperty("showlegend", false);
        foreach (var path in paths)
        {
            path.Validate(nameof(paths));
            for (var i = 0; i < path.Y.Length; i++)
                if (!double.IsFinite(path.Y[i]))
                    throw new ArgumentException($"Path '{path.Name}': Y[{i}] = {path.Y[i]} is not finite.", nameof(paths));
            var trace = figure.AddTrace("scatter");
            trace.SetProperty("name", Html.EscapeForPlotly(path.Name));
            trace.SetProperty("mode", "lines+markers");
            trace.SetProperty("marker", new Dictionary<string, object> { ["size"] = 4 });
            trace.SetProperty("x", path.X);
            trace.SetProperty("y", path.Y);
        }
        figure.SetAxis("xaxis", xLabel);
        figure.SetAxis("yaxis", yLabel);
        // The colour bar takes the right edge, so the legend goes below the plot.
        figure.Layout.SetProperty("legend", new Dictionary<string, object> { ["orientation"] = "h", ["y"] = -0.15 });
        return AddPlot(figure, caption);
    }

    /// <summary>
    /// Appends a vector field: an arrow from (x0[i], y0[i]) to (x0[i] + scale·u[i], y0[i] + scale·v[i]) for each i
    /// (e.g. u, v = −∇f). Arrows are line segments with two-stroke heads; both axes share one scale so
    /// directions are shown true. Zero vectors draw nothing.
    /// </summary>
    public Report Quiver(string title, double[] x0, double[] y0, double[] u, double[] v, double scale = 1.0,
        string? caption = null, string xLabel = "x", string yLabel = "y")
    {
        ArgumentNullException.ThrowIfNull(x0);
        ArgumentNullException.ThrowIfNull(y0);
        ArgumentNullException.ThrowIfNull(u);
        ArgumentNullException.ThrowIfNull(v);
        if (y0.Length != x0.Length || u.Length != x0.Length || v.Length != x0.Length)
            throw new ArgumentException(
                $"Quiver '{title}': x0, y0, u, v must be equally long, got {x0.Length}, {y0.Length}, {u.Length}, {v.Length}.");
        if (!double.IsFinite(scale) || scale <= 0)
            throw new ArgumentOutOfRangeException(nameof(scale), scale, $"Quiver '{title}': scale must be finite and positive.");
        CheckFinite(title, nameof(x0), x0);
        CheckFinite(title, nameof(y0), y0);
        CheckFinite(title, nameof(u), u);
        CheckFinite(title, nameof(v), v);

        const double headFraction = 0.3;
        const double headAngle = 25 * Math.PI / 180;
        var xs = new List<double?>(x0.Length * 7);
        var ys = new List<double?>(x0.Length * 7);
        for (var i = 0; i < x0.Length; i++)
        {
            double dx = scale * u[i], dy = scale * v[i];
            var length = Math.Sqrt(dx * dx + dy * dy);
            if (length == 0) continue;
            double x1 = x0[i] + dx, y1 = y0[i] + dy;
            // Shaft, then the two strokes of the head, each polyline ended by a null (a gap).
            xs.AddRange([x0[i], x1, null]);
            ys.AddRange([y0[i], y1, null]);
            var back = Math.Atan2(-dy, -dx);
            var head = headFraction * length;
            xs.AddRange([x1 + head * Math.Cos(back + headAngle), x1, x1 + head * Math.Cos(back - headAngle), null]);
            ys.AddRange([y1 + head * Math.Sin(back + headAngle), y1, y1 + head * Math.Sin(back - headAngle), null]);
        }
        var figure = new PlotlyFigure(title, height: 620);
        var arrows = figure.AddTrace("scatter");
        arrows.SetProperty("name", "arrows");
        arrows.SetProperty("mode", "lines");
        arrows.SetProperty("x", xs.ToArray());
        arrows.SetProperty("y", ys.ToArray());
        arrows.SetProperty("line", new Dictionary<string, object> { ["width"] = 1.5, ["color"] = "#1f4e79" });
        arrows.SetProperty("hoverinfo", "skip");
        arrows.SetProperty("showlegend", false);
        var bases = figure.AddTrace("scatter");
        bases.SetProperty("name", "origin");
        bases.SetProperty("mode", "markers");
        bases.SetProperty("x", x0);
        bases.SetProperty("y", y0);
        bases.SetProperty("marker", new Dictionary<string, object> { ["size"] = 3, ["color"] = "#1f4e79" });
        bases.SetProperty("showlegend", false);
        figure.SetAxis("xaxis", xLabel);
        figure.SetAxis("yaxis", yLabel, new Dictionary<string, object> { ["scaleanchor"] = "x", ["scaleratio"] = 1 });
        return AddPlot(figure, caption);
    }

    /// <summary>
    /// Appends a heat map of <paramref name="z"/>[row, column], row 0 at the top (matrix layout).
    /// <paramref name="xLabels"/> names the columns and <paramref name="yLabels"/> the rows; non-finite cells are blank.
    /// </summary>
    public Report Heatmap(string title, double[,] z, string[] xLabels, string[] yLabels, string? caption = null)
    {
        ArgumentNullException.ThrowIfNull(z);
        ArgumentNullException.ThrowIfNull(xLabels);
        ArgumentNullException.ThrowIfNull(yLabels);
        int rows = z.GetLength(0), cols = z.GetLength(1);
        if (rows == 0 || cols == 0) throw new ArgumentException($"Heatmap '{title}': z is empty ({rows}×{cols}).", nameof(z));
        if (xLabels.Length != cols || yLabels.Length != rows)
            throw new ArgumentException(
                $"Heatmap '{title}': z is {rows}×{cols} (rows×columns) but there are {yLabels.Length} row labels and {xLabels.Length} column labels.");

        var hover = new string[rows][];
        for (var r = 0; r < rows; r++)
        {
            hover[r] = new string[cols];
            for (var c = 0; c < cols; c++) hover[r][c] = Html.EscapeForPlotly($"{yLabels[r]} / {xLabels[c]}");
        }
        var figure = new PlotlyFigure(title, height: Math.Clamp(rows * 30 + 160, 320, 900));
        var map = figure.AddTrace("heatmap");
        // Positions rather than label strings on the axes: labels may repeat or look numeric, which would
        // make plotly merge or reorder categories.
        map.SetProperty("x", Enumerable.Range(0, cols).ToArray());
        map.SetProperty("y", Enumerable.Range(0, rows).ToArray());
        map.SetProperty("z", PlotlyFigure.Rows(z));
        map.SetProperty("text", hover);
        map.SetProperty("hovertemplate", "%{text}: %{z}<extra></extra>");
        map.SetProperty("colorscale", "Viridis");
        figure.SetAxis("xaxis", null, Ticks(xLabels));
        var yAxis = Ticks(yLabels);
        yAxis["autorange"] = "reversed";
        figure.SetAxis("yaxis", null, yAxis);
        return AddPlot(figure, caption);
    }

    private static Dictionary<string, object> Ticks(string[] labels) => new()
    {
        ["tickmode"] = "array",
        ["tickvals"] = Enumerable.Range(0, labels.Length).ToArray(),
        ["ticktext"] = labels.Select(Html.EscapeForPlotly).ToArray(),
    };

    private static void CheckGrid(string title, double[] xs, double[] ys, double[,] z)
    {
        ArgumentNullException.ThrowIfNull(xs);
        ArgumentNullException.ThrowIfNull(ys);
        ArgumentNullException.ThrowIfNull(z);
        if (xs.Length < 2 || ys.Length < 2)
            throw new ArgumentException($"Contour '{title}': need at least 2 xs and 2 ys, got {xs.Length} and {ys.Length}.");
        if (z.GetLength(0) != ys.Length || z.GetLength(1) != xs.Length)
            throw new ArgumentException(
                $"Contour '{title}': z is {z.GetLength(0)}×{z.GetLength(1)} but must be ys.Length×xs.Length = {ys.Length}×{xs.Length} (z[row = y, column = x]).",
                nameof(z));
        CheckIncreasing(title, nameof(xs), xs);
        CheckIncreasing(title, nameof(ys), ys);
    }

    private static void CheckIncreasing(string title, string name, double[] values)
    {
        CheckFinite(title, name, values);
        for (var i = 1; i < values.Length; i++)
            if (!(values[i] > values[i - 1]))
                throw new ArgumentException(
                    $"'{title}': {name} must be strictly increasing, but {name}[{i - 1}] = {values[i - 1]} and {name}[{i}] = {values[i]}.", name);
    }

    private static void CheckFinite(string title, string name, double[] values)
    {
        for (var i = 0; i < values.Length; i++)
            if (!double.IsFinite(values[i]))
                throw new ArgumentException($"'{title}': {name}[{i}] = {values[i]} is not finite.", name);
    }
}
