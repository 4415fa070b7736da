using System.CommandLine;

namespace InitLab.Cli;

/// <summary>Options several commands share, each documented with its default.</summary>
public static class CliOptions
{
    /// <summary>INITLAB_STORE if set, else runs/initlab.db under the current directory.</summary>
    public static string DefaultStore() =>
        Environment.GetEnvironmentVariable("INITLAB_STORE") is { Length: > 0 } p
            ? p
            : Path.Combine(Directory.GetCurrentDirectory(), "runs", "initlab.db");

    /// <summary><c>--store PATH|CONNECTION</c>: the run store.</summary>
    public static Option<string> Store() => new("--store")
    {
        Description = "Run store: a SQLite file path or a PostgreSQL connection string (default: $INITLAB_STORE, else runs/initlab.db)",
        HelpName = "PATH|CONNECTION",
    };

    /// <summary>The store named by <paramref name="option"/>, or the default.</summary>
    public static string StoreValue(ParseResult r, Option<string> option) => r.GetValue(option) ?? DefaultStore();

    /// <summary><c>--data-root DIR</c>.</summary>
    public static Option<string> DataRoot() => new("--data-root")
    {
        Description = "Data root (default: $INITLAB_DATA, else the user cache, else a pinned download)",
        HelpName = "DIR",
    };

    /// <summary>An int option that must be at least <paramref name="min"/>; the error names the option and value.</summary>
    public static Option<int> Int(string name, string description, int fallback, int min, string? helpName = "N")
    {
        var o = new Option<int>(name) { Description = description, DefaultValueFactory = _ => fallback, HelpName = helpName };
        o.Validators.Add(r =>
        {
            if (r.Tokens.Count > 0 && r.GetValueOrDefault<int>() < min)
                r.AddError($"{name} must be a whole number ≥ {min}, got '{r.Tokens[^1].Value}'");
        });
        return o;
    }

    /// <summary>A flag, off by default.</summary>
    public static Option<bool> Flag(string name, string description) =>
        new(name) { Description = description + " (default: off)" };
}
