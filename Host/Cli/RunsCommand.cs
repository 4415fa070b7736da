using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using InitLab.Store;
using InitLab.Sweeps;
using Spectre.Console;

namespace InitLab.Cli;

/// <summary>
/// <c>initlab runs list [--store PATH|CONNECTION] [--study S]</c>, <c>initlab runs show ID [--store …]</c> and
/// <c>initlab runs compare [--study S] [--metric M]… [--csv FILE]</c>: browse the run store and compare
/// runs that differ only in their seed. The store defaults to <c>INITLAB_STORE</c>, else
/// <c>runs/initlab.db</c> under the current directory.
/// </summary>
public static class RunsCommand
{
    const int Ok = ExitCodes.Ok, Failure = ExitCodes.Failure, Usage = ExitCodes.Usage;

    /// <summary>The <c>runs</c> command and its verbs.</summary>
    public static Command Create()
    {
        var runs = new Command("runs", "Runs recorded in the run store");

        var listStore = CliOptions.Store();
        var listStudy = new Option<string>("--study") { Description = "Only the runs of this study (default: every study)", HelpName = "S" };
        var list = new Command("list", "Every run: id, study, name, status, seed, start, duration, message") { listStore, listStudy };
        list.SetAction(r => WithStore(CliOptions.StoreValue(r, listStore), s => List(s, r.GetValue(listStudy))));
        runs.Subcommands.Add(list);

        var showStore = CliOptions.Store();
        var id = new Argument<long>("ID") { Description = "Run id" };
        id.Validators.Add(a =>
        {
            if (a.Tokens.Count > 0 && a.GetValueOrDefault<long>() < 0) a.AddError($"Run id must be a non-negative integer, got '{a.Tokens[0].Value}'.");
        });
        var show = new Command("show", "One run: its record, config, metrics and artifacts") { showStore };
        show.Arguments.Add(id);
        show.SetAction(r => WithStore(CliOptions.StoreValue(r, showStore), s => Show(s, r.GetValue(id))));
        runs.Subcommands.Add(show);

        var cmpStore = CliOptions.Store();
        var cmpStudy = new Option<string>("--study") { Description = "Only the runs of this study (default: every study)", HelpName = "S" };
        var metric = new Option<string[]>("--metric") { Description = "Metrics to compare, repeatable (default: every metric)", HelpName = "NAME", AllowMultipleArgumentsPerToken = false };
        var csv = new Option<string>("--csv") { Description = "Also write the comparison as CSV to FILE (default: none)", HelpName = "FILE" };
        var compare = new Command("compare", "Finished runs grouped by config minus seed: mean and 95 % CI of each metric's final value") { cmpStore, cmpStudy, metric, csv };
        compare.SetAction(r => WithStore(CliOptions.StoreValue(r, cmpStore), s => Compare(s, r.GetValue(cmpStudy), r.GetValue(metric), r.GetValue(csv))));
        runs.Subcommands.Add(compare);
        return runs;
    }

    /// <summary>INITLAB_STORE if set, else runs/initlab.db under the current directory.</summary>
    public static string DefaultStorePath() => CliOptions.DefaultStore();

    static int WithStore(string location, Func<RunStore, int> body)
    {
        // the browsing verbs only read: a SQLite store that does not exist is not created
        if (!RunStore.IsPostgresLocation(location) && !File.Exists(location))
            return Error($"No run store at '{Path.GetFullPath(location)}' (use --store PATH|CONNECTION or set INITLAB_STORE).", Failure);
        using var s = SweepStores.Open(location); // failures: StoreUnavailableException → exit code 4
        return body(s);
    }

    static int Compare(RunStore store, string? study, string[]? metrics, string? csv)
    {
        var rows = RunComparison.Compare(store, study, metrics is { Length: > 0 } ? metrics : null);
        if (rows.Count == 0)
        {
            AnsiConsole.MarkupLine($"[yellow]No finished runs{(study is null ? "" : $" of study '{Markup.Escape(study)}'")} in {Markup.Escape(store.Path)}.[/]");
            return Ok;
        }
        var table = new Table().Border(TableBorder.Rounded).AddColumns("Study", "Group", "Metric", "N", "Mean", "SD", "95 % CI");
        for (var c = 3; c < 7; c++) table.Columns[c].RightAligned();
        foreach (var r in rows)
            table.AddRow(new Text(r.Study), new Text(r.Group), new Text(r.Metric), new Text(r.Summary.N.ToString(CultureInfo.InvariantCulture)),
                new Text(Number(r.Summary.Mean)), new Text(double.IsNaN(r.Summary.StdDev) ? "-" : Number(r.Summary.StdDev)),
                new Text(double.IsNaN(r.Summary.Low95) ? "-" : $"[{Number(r.Summary.Low95)}, {Number(r.Summary.High95)}]"));
        AnsiConsole.Write(table);
        if (csv is not null)
        {
            using (var w = new StreamWriter(csv)) RunComparison.WriteCsv(rows, w);
            AnsiConsole.MarkupLine($"[grey]CSV written to {Markup.Escape(Path.GetFullPath(csv))}[/]");
        }
        return Ok;
    }

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
        RunStatus.Interrupted => new Markup("[darkorange]interrupted[/]"),
        RunStatus.Running => new Markup("[blue]running[/]"),
        _ => new Markup(Markup.Escape(s.ToString().ToLowerInvariant())),
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
        Console.Error.WriteLine($"initlab runs: {message}");
        return code;
    }
}
