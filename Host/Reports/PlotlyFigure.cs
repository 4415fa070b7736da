using Plotly.NET;

namespace InitLab.Reports;

/// <summary>
/// A plotly.js figure assembled from Plotly.NET's trace/layout objects and serialised by Plotly.NET.
/// Properties are set by their plotly.js names, which keeps this C# code free of the F# optional-argument
/// API. Kept internal: the public report API never exposes Plotly.NET (F#) types.
/// </summary>
internal sealed class PlotlyFigure
{
    private readonly List<Trace> _traces = [];

    public PlotlyFigure(string title, int height)
    {
        Layout.SetProperty("title", new Dictionary<string, object> { ["text"] = Html.EscapeForPlotly(title), ["x"] = 0.02 });
        Layout.SetProperty("height", height);
        Layout.SetProperty("autosize", true);
        Layout.SetProperty("margin", new Dictionary<string, object> { ["l"] = 70, ["r"] = 30, ["t"] = 60, ["b"] = 60 });
        Layout.SetProperty("font", new Dictionary<string, object> { ["family"] = "system-ui, sans-serif", ["size"] = 13 });
    }

    public Layout Layout { get; } = new();

    /// <summary>Adds a trace of the given plotly.js type ("scatter", "contour", "heatmap", …).</summary>
    public Trace2D AddTrace(string type)
    {
        var trace = new Trace2D(type);
        _traces.Add(trace);
        return trace;
    }

    public void SetAxis(string axis, string? label, Dictionary<string, object>? extra = null)
    {
        var props = extra ?? new Dictionary<string, object>();
        if (!string.IsNullOrEmpty(label))
            props["title"] = new Dictionary<string, object> { ["text"] = Html.EscapeForPlotly(label) };
        props.TryAdd("automargin", true);
        Layout.SetProperty(axis, props);
    }

    /// <summary>
    /// The figure as a JavaScript object literal {data, layout, config}. Every '&lt;' is written as
    /// \u003c (valid in JSON strings, the only place it can occur) so no label can close the script element.
    /// </summary>
    public string ToScriptLiteral()
    {
        var config = new Config();
        config.SetProperty("responsive", true);
        config.SetProperty("displaylogo", false);
        var chart = GenericChart.ofTraceObjects(false, _traces);
        chart = GenericChart.setLayout(Layout, chart);
        chart = GenericChart.setConfig(config, chart);
        return GenericChart.toJson(chart).Replace("<", "\\u003c");
    }

    /// <summary>Values for plotly.js with NaN/±∞ replaced by null, which plotly draws as gaps.</summary>
    public static double?[] Gaps(IReadOnlyList<double> values)
    {
        var result = new double?[values.Count];
        for (var i = 0; i < result.Length; i++)
            result[i] = double.IsFinite(values[i]) ? values[i] : null;
        return result;
    }

    /// <summary>Rows of a matrix (z[row, col]) for plotly.js, non-finite entries as gaps.</summary>
    public static double?[][] Rows(double[,] z)
    {
        var rows = new double?[z.GetLength(0)][];
        for (var r = 0; r < rows.Length; r++)
        {
            rows[r] = new double?[z.GetLength(1)];
            for (var c = 0; c < rows[r].Length; c++)
                rows[r][c] = double.IsFinite(z[r, c]) ? z[r, c] : null;
        }
        return rows;
    }
}
