using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using StbImageSharp;

namespace InitLab.Reports;

/// <summary>
/// Renders a report in headless Chromium and checks it really drew: a screenshot that is not blank, and,
/// in the DOM after scripts ran, a plotly <c>svg</c> with <c>path</c> elements inside every plot container.
/// A page whose plotly.js failed to load, or that threw before plotting, fails this check.
/// </summary>
public static partial class BrowserCheck
{
    private static readonly string[] Candidates = ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"];

    /// <summary>Renders <paramref name="htmlPath"/> with the default options; see <see cref="Render(string, string, BrowserCheckOptions)"/>.</summary>
    public static BrowserResult Render(string htmlPath, string pngPath) => Render(htmlPath, pngPath, BrowserCheckOptions.Default);

    /// <summary>
    /// Screenshots <paramref name="htmlPath"/> to <paramref name="pngPath"/> and inspects its rendered DOM.
    /// Throws <see cref="BrowserNotFoundException"/> when Chromium is not installed, <see cref="TimeoutException"/>
    /// when it hangs, and <see cref="InvalidOperationException"/> when it fails or writes no screenshot.
    /// </summary>
    public static BrowserResult Render(string htmlPath, string pngPath, BrowserCheckOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var html = Path.GetFullPath(htmlPath);
        if (!File.Exists(html)) throw new FileNotFoundException($"Report to check not found: {html}", html);
        var png = Path.GetFullPath(pngPath);
        Directory.CreateDirectory(Path.GetDirectoryName(png)!);
        File.Delete(png); // so a stale screenshot can never pass for a new one
        var browser = FindChromium(options.ChromiumPath);
        var url = new Uri(html).AbsoluteUri;
        var window = $"--window-size={options.WindowWidth},{options.WindowHeight}";
        var budget = $"--virtual-time-budget={options.VirtualTimeBudgetMs}";

        var shot = RunChromium(browser, options, [$"--screenshot={png}", window, "--hide-scrollbars", budget, url]);
        if (!File.Exists(png))
            throw new InvalidOperationException(
                $"Chromium ({browser}) wrote no screenshot of {html} to {png} (exit code {shot.ExitCode}): {Tail(shot.StdErr)}");
        var (width, heightPx, ink) = MeasureInk(png);

        var dump = RunChromium(browser, options, ["--dump-dom", window, budget, url]);
        if (dump.ExitCode != 0 || dump.StdOut.Length == 0)
            throw new InvalidOperationException(
                $"Chromium ({browser}) could not dump the DOM of {html} (exit code {dump.ExitCode}): {Tail(dump.StdErr)}");

        var expected = PlotIds(File.ReadAllText(html));
        var drawn = DrawnPlotIds(dump.StdOut);
        var undrawn = expected.Where(id => !drawn.Contains(id)).ToList();
        var console = shot.Console.Concat(dump.Console).Distinct().ToList();
        return new BrowserResult(expected.Count, expected.Count - undrawn.Count, undrawn, png, width, heightPx, ink, console);
    }

    /// <summary>The Chromium executable that <see cref="Render(string, string)"/> would use.</summary>
    public static string FindChromium(string? explicitPath = null)
    {
        var configured = explicitPath ?? Environment.GetEnvironmentVariable("INITLAB_CHROMIUM");
        if (!string.IsNullOrEmpty(configured))
            return File.Exists(configured)
                ? configured
                : throw new BrowserNotFoundException($"Chromium not found at '{configured}' (from options or INITLAB_CHROMIUM).");
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        foreach (var dir in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
            foreach (var name in Candidates)
            {
                var file = Path.Combine(dir, name);
                if (File.Exists(file)) return file;
            }
        throw new BrowserNotFoundException(
            $"Headless Chromium is needed to check reports but none of {string.Join(", ", Candidates)} is on PATH " +
            "and INITLAB_CHROMIUM is not set. Install it (e.g. apt-get install chromium) or point INITLAB_CHROMIUM at it.");
    }

    /// <summary>Plot container ids declared in a report page (figures with a data-plot attribute).</summary>
    internal static IReadOnlyList<string> PlotIds(string page) =>
        PlotFigure().Matches(page).Select(m => m.Groups["id"].Value).Distinct().ToList();

    /// <summary>
    /// Ids of plot figures whose rendered content holds plotly's main svg and at least one drawn path.
    /// Plot figures hold no nested figure and plotly adds none, so each match spans exactly one plot's markup.
    /// </summary>
    internal static HashSet<string> DrawnPlotIds(string dom)
    {
        var drawn = new HashSet<string>();
        foreach (Match m in PlotFigure().Matches(dom))
        {
            var body = m.Groups["body"].Value;
            if (MainSvg().IsMatch(body) && DrawnPath().IsMatch(body)) drawn.Add(m.Groups["id"].Value);
        }
        return drawn;
    }

    private sealed record Run(int ExitCode, string StdOut, string StdErr, IReadOnlyList<string> Console);

    private static Run RunChromium(string browser, BrowserCheckOptions options, IEnumerable<string> args)
    {
        // A fresh profile per run: no state shared between runs or with a user's browser.
        var profile = Directory.CreateTempSubdirectory("initlab-chromium-");
        try
        {
            var psi = new ProcessStartInfo(browser)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var a in new[]
                     {
                         "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                         "--disable-component-update", "--disable-sync", "--disable-quic", "--enable-logging=stderr", "--v=0",
                         $"--user-data-dir={profile.FullName}",
                     })
                psi.ArgumentList.Add(a);
            foreach (var a in args) psi.ArgumentList.Add(a);

            using var process = Process.Start(psi) ?? throw new InvalidOperationException($"Could not start {browser}.");
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromSeconds(options.TimeoutSeconds)))
            {
                try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { /* already gone */ }
                process.WaitForExit();
                throw new TimeoutException($"Chromium ({browser}) did not finish within {options.TimeoutSeconds} s.");
            }
            process.WaitForExit(); // flushes the redirected streams
            var err = stderr.Result;
            var console = err.Split('\n').Where(l => l.Contains(":CONSOLE", StringComparison.Ordinal))
                .Select(l => l[(l.IndexOf(']') + 1)..].Trim()).ToList();
            return new Run(process.ExitCode, stdout.Result, err, console);
        }
        finally
        {
            try { profile.Delete(recursive: true); } catch (IOException) { /* Chromium may still hold files; temp is cleaned anyway */ }
            catch (UnauthorizedAccessException) { }
        }
    }

    /// <summary>Size of the screenshot and the share of its pixels that differ from the most common colour.</summary>
    private static (int Width, int Height, double Ink) MeasureInk(string png)
    {
        ImageResult image;
        try
        {
            image = ImageResult.FromMemory(File.ReadAllBytes(png), ColorComponents.RedGreenBlue);
        }
        catch (Exception e)
        {
            throw new InvalidOperationException($"Screenshot {png} is not a readable PNG: {e.Message}", e);
        }
        var counts = new Dictionary<int, int>();
        var data = image.Data;
        for (var i = 0; i + 2 < data.Length; i += 3)
        {
            var rgb = (data[i] << 16) | (data[i + 1] << 8) | data[i + 2];
            counts[rgb] = counts.GetValueOrDefault(rgb) + 1;
        }
        var total = image.Width * image.Height;
        var background = counts.Count == 0 ? 0 : counts.Values.Max();
        return (image.Width, image.Height, total == 0 ? 0 : 1.0 - (double)background / total);
    }

    private static string Tail(string text)
    {
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return string.Join(" | ", lines.TakeLast(5));
    }

    [GeneratedRegex("""<figure\b[^>]*\bdata-plot="(?<id>[^"]+)"[^>]*>(?<body>.*?)</figure>""", RegexOptions.Singleline)]
    private static partial Regex PlotFigure();

    [GeneratedRegex("""<svg\b[^>]*\bclass="main-svg\b""")]
    private static partial Regex MainSvg();

    [GeneratedRegex("""<path\b[^>]*\bd="M""")]
    private static partial Regex DrawnPath();
}
