namespace InitLab.Reports;

/// <summary>How <see cref="BrowserCheck"/> runs headless Chromium.</summary>
/// <param name="WindowWidth">Viewport width in CSS pixels (also the screenshot width).</param>
/// <param name="WindowHeight">Viewport height in CSS pixels (also the screenshot height).</param>
/// <param name="VirtualTimeBudgetMs">Virtual time Chromium gives scripts before it screenshots or dumps the DOM.</param>
/// <param name="TimeoutSeconds">Wall-clock limit per Chromium run; the process tree is killed after it.</param>
/// <param name="ChromiumPath">Browser executable; null means $INITLAB_CHROMIUM, then chromium, chromium-browser,
/// google-chrome on PATH.</param>
public sealed record BrowserCheckOptions(
    int WindowWidth = 1200,
    int WindowHeight = 2000,
    int VirtualTimeBudgetMs = 5000,
    int TimeoutSeconds = 120,
    string? ChromiumPath = null)
{
    /// <summary>The defaults: a 1200×2000 window and 5 s of virtual time.</summary>
    public static BrowserCheckOptions Default { get; } = new();
}
