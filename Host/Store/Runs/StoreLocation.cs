using System.Text.RegularExpressions;
using Npgsql;

namespace InitLab.Store;

/// <summary>
/// Where a run store lives: a SQLite file path, or a PostgreSQL server given as a keyword connection
/// string (<c>Host=...;Database=...</c>) or a URI (<c>postgresql://user:pw@host:port/db?key=value</c>).
/// </summary>
internal abstract record StoreLocation
{
    /// <summary>The store as shown in messages: never contains a password.</summary>
    public abstract string Display { get; }

    public sealed record SqliteFile(string FullPath) : StoreLocation
    {
        public override string Display => FullPath;
    }

    public sealed record Postgres(string ConnectionString, string DisplayName) : StoreLocation
    {
        public override string Display => DisplayName;
    }

    static readonly Regex KeywordHost = new(@"(^|;)\s*(host|server)\s*=", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    /// <summary>True when <paramref name="location"/> names a PostgreSQL server rather than a file.</summary>
    public static bool IsPostgres(string location) =>
        location.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase)
        || location.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase)
        || KeywordHost.IsMatch(location);

    /// <exception cref="ArgumentException">A PostgreSQL connection string that cannot be parsed (the message does not repeat it).</exception>
    public static StoreLocation Parse(string location, RunStoreOptions options)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(location);
        if (!IsPostgres(location)) return new SqliteFile(Path.GetFullPath(location));
        NpgsqlConnectionStringBuilder b;
        try
        {
            b = location.Contains("://", StringComparison.Ordinal) ? FromUri(location) : new NpgsqlConnectionStringBuilder(location);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or UriFormatException or KeyNotFoundException)
        {
            // The text may hold a password: name only what is wrong.
            throw new ArgumentException($"The run store location is not a valid PostgreSQL connection string: {e.Message}", nameof(location), e);
        }
        if (string.IsNullOrWhiteSpace(b.Host))
            throw new ArgumentException("The PostgreSQL run store location names no host.", nameof(location));
        if (!location.Contains("timeout", StringComparison.OrdinalIgnoreCase)) b.Timeout = options.ConnectTimeoutSeconds;
        var db = string.IsNullOrEmpty(b.Database) ? b.Username ?? "" : b.Database;
        var display = $"postgresql://{(string.IsNullOrEmpty(b.Username) ? "" : b.Username + "@")}{b.Host}:{b.Port}/{db}"
                      + (string.IsNullOrEmpty(b.SearchPath) ? "" : $"?search_path={b.SearchPath}");
        return new Postgres(b.ConnectionString, display);
    }

    /// <summary>postgresql://[user[:password]@]host[:port][/database][?key=value&amp;...] as Npgsql keywords.</summary>
    static NpgsqlConnectionStringBuilder FromUri(string text)
    {
        var uri = new Uri(text);
        var b = new NpgsqlConnectionStringBuilder { Host = uri.Host };
        if (!uri.IsDefaultPort && uri.Port > 0) b.Port = uri.Port;
        if (uri.UserInfo.Length > 0)
        {
            var parts = uri.UserInfo.Split(':', 2);
            b.Username = Uri.UnescapeDataString(parts[0]);
            if (parts.Length == 2) b.Password = Uri.UnescapeDataString(parts[1]);
        }
        var db = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
        if (db.Length > 0) b.Database = db;
        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var kv = pair.Split('=', 2);
            var key = Uri.UnescapeDataString(kv[0]).Replace('_', ' ');
            b[key] = kv.Length == 2 ? Uri.UnescapeDataString(kv[1]) : "";
        }
        return b;
    }
}
