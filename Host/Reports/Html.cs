using System.Text;

namespace InitLab.Reports;

/// <summary>HTML escaping for every piece of text a report writes into its page.</summary>
public static class Html
{
    /// <summary>
    /// Escapes <c>&amp; &lt; &gt; " '</c> so that <paramref name="text"/> is shown literally in element
    /// content and in quoted attribute values. <c>null</c> becomes the empty string.
    /// </summary>
    public static string Escape(string? text)
    {
        if (string.IsNullOrEmpty(text)) return string.Empty;
        var sb = new StringBuilder(text.Length + 16);
        foreach (var c in text)
        {
            switch (c)
            {
                case '&': sb.Append("&amp;"); break;
                case '<': sb.Append("&lt;"); break;
                case '>': sb.Append("&gt;"); break;
                case '"': sb.Append("&quot;"); break;
                case '\'': sb.Append("&#39;"); break;
                default: sb.Append(c); break;
            }
        }
        return sb.ToString();
    }

    /// <summary>
    /// Escapes text for plotly.js labels (titles, legend names, tick labels). Plotly renders a small
    /// HTML-like markup in labels and decodes <c>&amp;lt;</c>-style entities, so only <c>&amp; &lt; &gt;</c>
    /// need escaping; quotes would otherwise show up as entity text.
    /// </summary>
    internal static string EscapeForPlotly(string? text)
    {
        if (string.IsNullOrEmpty(text)) return string.Empty;
        return text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");
    }
}
