using System.Globalization;
using System.Text;
using InitLab.Store;

namespace InitLab.Reports;

/// <summary>
/// A study report: one self-contained HTML page (plotly.js inlined once, no network needed) built by
/// appending text, tables and charts in order. All text is HTML-escaped. The output depends only on
/// what was appended, so the same study gives the same file byte for byte.
/// </summary>
/// <example><code>
/// new Report("LeNet-5: initial weights vs training data")
///     .Paragraph("…")
///     .LineChart("Loss", "step", "loss", [Series.OfValues("He", losses)])
///     .Save("out/lenet.html");
/// </code></example>
public sealed partial class Report
{
    private readonly List<string> _blocks = [];
    private int _plotCount;

    /// <summary>Starts an empty report whose page title and top heading are <paramref name="title"/>.</summary>
    public Report(string title)
    {
        if (string.IsNullOrWhiteSpace(title)) throw new ArgumentException("A report needs a non-empty title.", nameof(title));
        Title = title;
    }

    /// <summary>The page title.</summary>
    public string Title { get; }

    /// <summary>Number of plotly charts appended so far (each one is a plot container in the page).</summary>
    public int PlotCount => _plotCount;

    /// <summary>Appends a paragraph of plain text; blank lines start new paragraphs.</summary>
    public Report Paragraph(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Replace("\r\n", "\n").Split("\n\n", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var p in parts) _blocks.Add($"<p>{Html.Escape(p)}</p>");
        return this;
    }

    /// <summary>Appends a section heading (level 2 by default; 2…4 allowed, level 1 is the report title).</summary>
    public Report Heading(string text, int level = 2)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (level is < 2 or > 4) throw new ArgumentOutOfRangeException(nameof(level), level, "Heading level must be 2, 3 or 4.");
        _blocks.Add($"<h{level}>{Html.Escape(text)}</h{level}>");
        return this;
    }

    /// <summary>
    /// Appends a table. Every row must have exactly one cell per column; null cells are shown empty.
    /// Cells that parse as numbers are right-aligned.
    /// </summary>
    public Report Table(string[] columns, IEnumerable<string?[]> rows, string? caption = null)
    {
        ArgumentNullException.ThrowIfNull(columns);
        ArgumentNullException.ThrowIfNull(rows);
        if (columns.Length == 0) throw new ArgumentException("A table needs at least one column.", nameof(columns));
        var sb = new StringBuilder("<table>");
        if (!string.IsNullOrEmpty(caption)) sb.Append("<caption>").Append(Html.Escape(caption)).Append("</caption>");
        sb.Append("<thead><tr>");
        foreach (var c in columns) sb.Append("<th>").Append(Html.Escape(c)).Append("</th>");
        sb.Append("</tr></thead><tbody>");
        var index = 0;
        foreach (var row in rows)
        {
            if (row is null) throw new ArgumentException($"Table row {index} is null.", nameof(rows));
            if (row.Length != columns.Length)
                throw new ArgumentException(
                    $"Table row {index} has {row.Length} cells but the table has {columns.Length} columns ({string.Join(", ", columns)}).",
                    nameof(rows));
            sb.Append("<tr>");
            foreach (var cell in row)
                sb.Append(IsNumber(cell) ? "<td class=\"num\">" : "<td>").Append(Html.Escape(cell)).Append("</td>");
            sb.Append("</tr>");
            index++;
        }
        sb.Append("</tbody></table>");
        _blocks.Add(sb.ToString());
        return this;
    }

    /// <summary>Appends a titled two-column table of names and values (configuration, fingerprints, timings).</summary>
    public Report KeyValues(string title, IEnumerable<(string Key, string Value)> pairs)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        var sb = new StringBuilder();
        if (!string.IsNullOrEmpty(title)) sb.Append("<h3>").Append(Html.Escape(title)).Append("</h3>");
        sb.Append("<table class=\"kv\"><tbody>");
        foreach (var (key, value) in pairs)
            sb.Append("<tr><th scope=\"row\">").Append(Html.Escape(key)).Append("</th><td>").Append(Html.Escape(value)).Append("</td></tr>");
        sb.Append("</tbody></table>");
        _blocks.Add(sb.ToString());
        return this;
    }

    /// <summary>The complete HTML page.</summary>
    public string ToHtml()
    {
        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
          .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
          .Append("<meta name=\"generator\" content=\"InitLab reports, plotly.js ").Append(PlotlyScript.Version).Append("\">\n")
          .Append("<title>").Append(Html.Escape(Title)).Append("</title>\n")
          .Append("<style>\n").Append(ReportStyle.Css).Append("</style>\n");
        // Inlined once per page, and only when there is something for it to draw.
        if (_plotCount > 0)
            sb.Append("<script>\n").Append(PlotlyScript.Text).Append("\n</script>\n");
        sb.Append("</head>\n<body>\n<main>\n<h1>").Append(Html.Escape(Title)).Append("</h1>\n");
        foreach (var block in _blocks) sb.Append(block).Append('\n');
        sb.Append("</main>\n</body>\n</html>\n");
        return sb.ToString();
    }

    /// <summary>
    /// Writes the page to <paramref name="path"/> atomically (a temporary file in the same folder, then a
    /// rename), creating the folder if needed; an existing file is replaced only by a complete page.
    /// Returns the full path written.
    /// </summary>
    public string Save(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var full = Path.GetFullPath(path);
        var bytes = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(ToHtml());
        try
        {
            AtomicFile.Write(full, stream => stream.Write(bytes));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"Could not save report '{Title}' to {full}: {e.Message}", e);
        }
        return full;
    }

    private static bool IsNumber(string? cell) =>
        !string.IsNullOrWhiteSpace(cell) &&
        double.TryParse(cell.TrimEnd('%'), NumberStyles.Float, CultureInfo.InvariantCulture, out _);

    /// <summary>Appends a figure holding one plotly chart; the container id is sequential so output is deterministic.</summary>
    private Report AddPlot(PlotlyFigure figure, string? caption)
    {
        var id = $"plot-{++_plotCount}";
        var sb = new StringBuilder();
        sb.Append("<figure data-plot=\"").Append(id).Append("\"><div class=\"plot\" id=\"").Append(id).Append("\"></div>");
        if (!string.IsNullOrEmpty(caption)) sb.Append("<figcaption>").Append(Html.Escape(caption)).Append("</figcaption>");
        sb.Append("</figure>\n<script>(function(f){Plotly.newPlot(\"").Append(id)
          .Append("\",f.data,f.layout,f.config);})(").Append(figure.ToScriptLiteral()).Append(");</script>");
        _blocks.Add(sb.ToString());
        return this;
    }
}
