using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using InitLab.Store;
using Spectre.Console;

namespace InitLab.Cli;

/// <summary>
/// <c>initlab runs list [--store PATH] [--study S]</c> and <c>initlab runs show ID [--store PATH]</c>:
/// browse the run store. The store defaults to <c>INITLAB_STORE</c>, else <c>runs/initlab.db</c> under
/// the current directory.
/// </summary>
public static class RunsCommand
{
    const int Ok = 0, Failure = 1, Usage = 2;

    /// <summary>Runs the command; <paramref name="args"/> are the words after <c>runs</c> (a leading "runs" is skipped).</summary>
    public static int Run(string[] args)
    {
        var words = args.Length > 0 && args[0] == "runs" ? args[1..] : args;
        if (words.Length == 0 || words[0] is "-h" or "--help" or "help") return PrintUsage(words.Length == 0 ? Usage : Ok);

        string? store = null, study = null;
        var positional = new List<string>();
        for (var i = 1; i < words.Length; i++)
        {
            switch (words[i])
            {
                case "--store" when i + 1 < words.Length: store = words[++i]; break;
                case "--study" when i + 1 < words.Length: study = words[++i]; break;
                case "--store" or "--study":
                    return Error($"{words[i]} needs a value.", Usage);
                case var w when w.StartsWith("--", StringComparison.Ordinal):
                    return Error($"Unknown option '{w}'.", Usage);
                default: positional.Add(words[i]); break;
            }
        }
        if (words[0] is not ("list" or "show")) return Error($"Unknown subcommand '{words[0]}'.", Usage);
        var path = store ?? DefaultStorePath();
        if (!File.Exists(path))
            return Error($"No run store at '{Path.GetFullPath(path)}' (use --store PATH or set INITLAB_STORE).", Failure);

        try
        {
            switch (words[0])
            {
                case "list" when positional.Count == 0:
                    using (var s = RunStore.Open(path)) return List(s, study);
                case "show" when positional.Count == 1 && study is null:
                    if (!long.TryParse(positional[0], NumberStyles.None, CultureInfo.InvariantCulture, out var id))
                        return Error($"Run id must be a non-negative integer, got '{positional[0]}'.", Usage);
                    using (var s = RunStore.Open(path)) return Show(s, id);
                default:
                    return PrintUsage(Usage);
            }
        }
        catch (InvalidDataException e)
        {
            return Error(e.Message, Failure);
        }
    }

    /// <summary>INITLAB_STORE if set, else runs/initlab.db under the current directory.</summary>
    public static string DefaultStorePath() =>
        Environment.GetEnvironmentVariable("INITLAB_STORE") is { Length: > 0 } p
            ? p
            : Path.Combine(Directory.GetCurrentDirectory(), "runs", "initlab.db");

    static int List(RunStore store, string? study)
    {
        var runs = store.GetRuns(study);
        if (runs.Count == 0)
        {
            AnsiConsole.MarkupLine(study is null
                ? $"[yellow]No runs in {Markup.Escape(store.Path)}.[/]"
                : $"[yellow]No runs of study '{Markup.Escape(study)}' in {Markup.Escape(store.Path)}.[/]");
            return Ok;
        }
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumns("Id", "Study", "Name", "Status", "Seed", "Started (UTC)", "Duration", "Message");
        table.Columns[0].RightAligned();
        table.Columns[4].RightAligned();
        foreach (var r in runs)
        {
            table.AddRow(
                new Text(r.Id.ToString(CultureInfo.InvariantCulture)),
                new Text(r.Study),
                new Text(r.Name),
                StatusMarkup(r.Status),
                new Text(r.Seed.ToString(CultureInfo.InvariantCulture)),
                new Text(r.Started.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)),
                new Text(r.Ended is { } end ? Duration(end - r.Started) : "…"),
                new Text(Clip(r.Message ?? "", 60)));
        }
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine($"[grey]{runs.Count} run(s) in {Markup.Escape(store.Path)}[/]");
        return Ok;
    }

    static int Show(RunStore store, long id)
    {
        if (store.GetRun(id) is not { } r) return Error($"No run {id} in '{store.Path}'.", Failure);

        var info = new Grid().AddColumn().AddColumn();
        void Row(string k, string v) => info.AddRow(new Markup($"[bold]{k}[/]"), new Text(v));
        Row("Id", r.Id.ToString(CultureInfo.InvariantCulture));
        Row("Study", r.Study);
        Row("Name", r.Name);
        info.AddRow(new Markup("[bold]Status[/]"), StatusMarkup(r.Status));
        Row("Seed", r.Seed.ToString(CultureInfo.InvariantCulture));
        Row("Data", r.DataFingerprint ?? "-");
        Row("Code", r.CodeVersion ?? "-");
        Row("Started", r.Started.ToString("u", CultureInfo.InvariantCulture));
        Row("Ended", r.Ended?.ToString("u", CultureInfo.InvariantCulture) ?? "-");
        if (r.Ended is { } end) Row("Duration", Duration(end - r.Started));
        if (r.Message is not null) Row("Message", r.Message);
        AnsiConsole.Write(new Panel(info).Header($"run {r.Id}").Border(BoxBorder.Rounded));

        AnsiConsole.Write(new Panel(new Text(PrettyJson(r.ConfigJson))).Header("config").Border(BoxBorder.Rounded));

        var metrics = store.GetMetrics(id);
        if (metrics.Count == 0)
            AnsiConsole.MarkupLine("[grey]No metrics.[/]");
        else
        {
            var table = new Table().Border(TableBorder.Rounded).Title("metrics")
                .AddColumns("Name", "Points", "Last step", "Last", "Min", "Min at step");
            for (var c = 1; c < 6; c++) table.Columns[c].RightAligned();
            foreach (var g in metrics.GroupBy(m => m.Name))
            {
                var last = g.MaxBy(m => m.Step);
                var finite = g.Where(m => !double.IsNaN(m.Value)).ToList();
                var min = finite.Count > 0 ? finite.MinBy(m => m.Value) : (MetricPoint?)null;
                table.AddRow(
                    new Text(g.Key),
                    new Text(g.Count().ToString(CultureInfo.InvariantCulture)),
                    new Text(last.Step.ToString(CultureInfo.InvariantCulture)),
                    new Text(Number(last.Value)),
                    new Text(min is { } m ? Number(m.Value) : "-"),
                    new Text(min is { } n ? n.Step.ToString(CultureInfo.InvariantCulture) : "-"));
            }
            AnsiConsole.Write(table);
        }

        var artifacts = store.GetArtifacts(id);
        if (artifacts.Count == 0)
            AnsiConsole.MarkupLine("[grey]No artifacts.[/]");
        else
        {
            var table = new Table().Border(TableBorder.Rounded).Title("artifacts").AddColumns("Kind", "Path", "SHA-256");
            foreach (var a in artifacts) table.AddRow(new Text(a.Kind), new Text(a.Path), new Text(a.Sha256[..16] + "…"));
            AnsiConsole.Write(table);
        }
        return Ok;
    }

    static Markup StatusMarkup(RunStatus s) => s switch
    {
        RunStatus.Finished => new Markup("[green]finished[/]"),
        RunStatus.Failed => new Markup("[red]failed[/]"),
        RunStatus.Stopped => new Markup("[yellow]stopped[/]"),
        _ => new Markup("[blue]running[/]"),
    };

    static string PrettyJson(string json)
    {
        try
        {
            return JsonNode.Parse(json)?.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) ?? json;
        }
        catch (JsonException)
        {
            return json;
        }
    }

    static string Number(double v) => v.ToString("G6", CultureInfo.InvariantCulture);

    static string Duration(TimeSpan t) =>
        t.TotalHours >= 1 ? $"{(int)t.TotalHours}h{t.Minutes:D2}m"
        : t.TotalMinutes >= 1 ? $"{t.Minutes}m{t.Seconds:D2}s"
        : $"{t.TotalSeconds:F1}s";

    static string Clip(string s, int n) => s.Length <= n ? s : s[..(n - 1)] + "…";

    static int Error(string message, int code)
    {
        AnsiConsole.MarkupLine($"[red]initlab runs: {Markup.Escape(message)}[/]");
        return code;
    }

    static int PrintUsage(int code)
    {
        Console.WriteLine("usage: initlab runs list [--store PATH] [--study S]");
        Console.WriteLine("       initlab runs show ID [--store PATH]");
        Console.WriteLine("The store defaults to $INITLAB_STORE, else runs/initlab.db under the current directory.");
        return code;
    }
}
