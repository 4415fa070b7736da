namespace InitLab.Reports;

/// <summary>What headless Chromium made of a report page.</summary>
/// <param name="PlotCount">Plot containers in the page (figures with a <c>data-plot</c> id).</param>
/// <param name="PlotsDrawn">Containers that hold a plotly <c>svg</c> with drawn <c>path</c> elements after scripts ran.</param>
/// <param name="UndrawnPlots">Ids of the containers that stayed empty.</param>
/// <param name="ScreenshotPath">Full path of the PNG screenshot.</param>
/// <param name="ScreenshotWidth">Screenshot width in pixels.</param>
/// <param name="ScreenshotHeight">Screenshot height in pixels.</param>
/// <param name="InkFraction">Share of screenshot pixels that differ from its most common colour (0 = blank page).</param>
/// <param name="ConsoleMessages">Messages the page wrote to the browser console (script errors among them).</param>
public sealed record BrowserResult(
    int PlotCount,
    int PlotsDrawn,
    IReadOnlyList<string> UndrawnPlots,
    string ScreenshotPath,
    int ScreenshotWidth,
    int ScreenshotHeight,
    double InkFraction,
    IReadOnlyList<string> ConsoleMessages)
{
    /// <summary>Below this share of non-background pixels a screenshot counts as blank.</summary>
    public const double BlankInkFraction = 0.002;

    /// <summary>True when every plot container was drawn.</summary>
    public bool AllPlotsDrawn => PlotsDrawn == PlotCount;

    /// <summary>True when the screenshot is (almost) a single colour.</summary>
    public bool IsBlank => InkFraction < BlankInkFraction;

    /// <summary>Throws an <see cref="InvalidOperationException"/> describing what failed unless the page
    /// rendered with all plots drawn and a non-blank screenshot.</summary>
    public BrowserResult EnsureRendered()
    {
        if (AllPlotsDrawn && !IsBlank) return this;
        var problems = new List<string>();
        if (!AllPlotsDrawn)
            problems.Add($"{PlotCount - PlotsDrawn} of {PlotCount} plots not drawn ({string.Join(", ", UndrawnPlots)})");
        if (IsBlank) problems.Add($"screenshot {ScreenshotPath} is blank (ink fraction {InkFraction:G3})");
        var console = ConsoleMessages.Count == 0 ? "" : "; browser console: " + string.Join(" | ", ConsoleMessages.Take(5));
        throw new InvalidOperationException("Report did not render: " + string.Join("; ", problems) + console);
    }
}
