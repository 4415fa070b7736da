using Plotly.NET;

namespace InitLab.Reports;

/// <summary>
/// The full plotly.js bundle that Plotly.NET ships as an embedded resource, so reports render offline.
/// </summary>
internal static class PlotlyScript
{
    private static readonly Lazy<string> Source = new(Load);

    /// <summary>Version of plotly.js bundled by Plotly.NET (e.g. "2.28.0").</summary>
    public static string Version => Globals.PLOTLYJS_VERSION;

    /// <summary>The minified plotly.js source.</summary>
    public static string Text => Source.Value;

    private static string Load()
    {
        var assembly = typeof(GenericChart).Assembly;
        var name = $"Plotly.NET.plotly-{Globals.PLOTLYJS_VERSION}.min.js";
        using var stream = assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException(
                $"plotly.js resource '{name}' not found in {assembly.GetName().Name}; resources are: " +
                string.Join(", ", assembly.GetManifestResourceNames()));
        using var reader = new StreamReader(stream);
        var js = reader.ReadToEnd();
        // The bundle is inlined in a <script> element, which would end early at this sequence.
        if (js.Contains("</script", StringComparison.OrdinalIgnoreCase))
            throw new InvalidOperationException($"plotly.js {Version} contains '</script' and cannot be inlined.");
        return js;
    }
}
