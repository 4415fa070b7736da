using System.CommandLine;
using InitLab.Data;
using Spectre.Console;

namespace InitLab.Cli;

/// <summary>
/// <c>initlab data list</c> and <c>initlab data verify [--root DIR]</c>: which data sets are where,
/// their record and per-class counts, and whether their files match the pinned SHA-256 values.
/// </summary>
public static class DataCommand
{
    /// <summary>The <c>data</c> command: <c>list</c> and <c>verify</c>, each with <c>--root DIR</c>.</summary>
    public static Command Create()
    {
        var data = new Command("data", "Data sets found, their counts and SHA-256 checks (exit 1: a mismatch, a load failure or, for verify, no data set)");
        foreach (var verb in new[] { "list", "verify" })
        {
            var root = new Option<string>("--root")
            {
                Description = "Data root (default: $INITLAB_DATA, else the user cache)",
                HelpName = "DIR",
            };
            var command = new Command(verb, verb == "list" ? "Data sets found, records, per-class counts" : "SHA-256 of each file against the pinned values");
            command.Options.Add(root);
            command.SetAction(r => Run(verb, r.GetValue(root)));
            data.Subcommands.Add(command);
        }
        return data;
    }

    /// <summary>
    /// Runs <c>list</c> or <c>verify</c>. Returns the exit code: 0 ok, 1 a checksum mismatch, a load
    /// failure or (verify) no data set found, 2 a --root that is not a folder.
    /// </summary>
    public static int Run(string verb, string? root)
    {
        if (root is not null && !Directory.Exists(root))
        {
            Console.Error.WriteLine($"initlab data: --root {root}: no such folder");
            return 2;
        }
        var resolution = root is not null
            ? new DataRootResolution(Path.GetFullPath(root), DataRootSource.Explicit, [])
            : DataRoot.Resolve(new DataRootOptions { DataSets = ["mnist"], AllowDownload = false, Warnings = TextWriter.Null });
        if (resolution.Root is null)
        {
            AnsiConsole.MarkupLine("[yellow]No data root found.[/] Set INITLAB_DATA, pass --root DIR, or populate the cache "
                                   + Markup.Escape(DataRoot.DefaultCacheDirectory()) + ".");
            foreach (var n in resolution.Notes) AnsiConsole.MarkupLine("  " + Markup.Escape(n));
            return verb == "list" ? 0 : 1;
        }
        AnsiConsole.MarkupLine($"Data root: [bold]{Markup.Escape(resolution.Root)}[/] ({resolution.Source})");
        return verb == "list" ? List(resolution.Root) : Verify(resolution.Root);
    }

    private static int List(string root)
    {
        var table = new Table().AddColumns("Data set", "Status", "Folder", "Notes");
        foreach (var r in DataInventory.List(root))
            table.AddRow(
                Markup.Escape(r.Entry.Name),
                r.Ok ? "[green]found[/]" : r.Present ? "[yellow]incomplete[/]" : "[grey]absent[/]",
                Markup.Escape(r.Directory ?? Path.Combine(root, r.Entry.Folder)),
                Markup.Escape(string.Join("; ", r.Notes)));
        AnsiConsole.Write(table);
        return 0;
    }

    private static int Verify(string root)
    {
        bool allOk = true;
        int present = 0;
        foreach (var entry in DataCatalog.All)
        {
            var r = DataInventory.Verify(root, entry);
            if (!r.Present)
            {
                AnsiConsole.MarkupLine($"[grey]{Markup.Escape(entry.Name)}: absent[/]");
                continue;
            }
            present++;
            allOk &= r.Ok;
            AnsiConsole.MarkupLine($"\n[bold]{Markup.Escape(entry.Name)}[/] in {Markup.Escape(r.Directory!)}: " + (r.Ok ? "[green]OK[/]" : "[red]PROBLEMS[/]"));
            if (r.Files.Count > 0)
            {
                var files = new Table().AddColumns("File", "SHA-256", "Pinned");
                foreach (var c in r.Files)
                    files.AddRow(
                        Markup.Escape(c.Path is null ? c.File.Name : Path.GetFileName(c.Path)),
                        // A matching hash is shortened to keep the table narrow; a mismatch is shown whole.
                        Markup.Escape(c.Actual is null ? "-" : c.Status == ChecksumStatus.Mismatch ? c.Actual : c.Actual[..16] + "…"),
                        c.Status switch
                        {
                            ChecksumStatus.Match => "[green]match[/]",
                            ChecksumStatus.Mismatch => $"[red]MISMATCH[/] (expected {Markup.Escape(c.Expected ?? "")})",
                            ChecksumStatus.Missing => "[red]missing[/]",
                            _ => "[grey]not pinned[/]",
                        });
                AnsiConsole.Write(files);
            }
            if (r.Splits.Count > 0)
            {
                var counts = new Table().AddColumns("Split", "Records", "Per class");
                foreach (var s in r.Splits)
                    counts.AddRow(s.Split, s.Records.ToString("N0"), Markup.Escape(PerClass(s)));
                AnsiConsole.Write(counts);
            }
            foreach (var n in r.Notes) AnsiConsole.MarkupLine("  " + Markup.Escape(n));
        }
        if (present == 0) AnsiConsole.MarkupLine($"[red]No known data set under {Markup.Escape(root)}.[/]");
        return allOk && present > 0 ? 0 : 1;
    }

    /// <summary>"5000 each" when uniform, else "name=count" pairs.</summary>
    private static string PerClass(SplitCount s) =>
        s.PerClass.Distinct().Count() == 1
            ? $"{s.PerClass[0]} each ({s.PerClass.Count} classes)"
            : string.Join(" ", s.PerClass.Select((c, i) => $"{s.ClassNames[i]}:{c}"));
}
