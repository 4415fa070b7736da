namespace InitLab.Reports;

/// <summary>The report's stylesheet: readable tables, figure captions, nothing else.</summary>
internal static class ReportStyle
{
    public const string Css = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;color:#222;line-height:1.45;max-width:1100px;margin:2rem auto;padding:0 1rem}
h1{font-size:1.6rem;margin-bottom:.5rem}
h2{font-size:1.25rem;margin-top:2.2rem;border-bottom:1px solid #ddd;padding-bottom:.2rem}
h3{font-size:1.05rem;margin:1.4rem 0 .4rem}
table{border-collapse:collapse;margin:1rem 0;font-size:.92rem;font-variant-numeric:tabular-nums}
th,td{border:1px solid #ccc;padding:.25rem .6rem;text-align:left;vertical-align:top}
th{background:#f2f2f2}
tbody tr:nth-child(even) td{background:#fafafa}
td.num{text-align:right}
table.kv th{font-weight:600;background:none}
table.kv td{font-family:ui-monospace,monospace;overflow-wrap:anywhere}
caption{caption-side:bottom;text-align:left}
caption,figcaption{color:#555;font-size:.9rem;padding-top:.4rem}
figure{margin:1.4rem 0}
.plot{width:100%}
.tiles{display:flex;flex-wrap:wrap;gap:.6rem}
.tile{margin:0;text-align:center;font-size:.8rem}
.tile img{display:block;image-rendering:pixelated;border:1px solid #bbb}
""";
}
