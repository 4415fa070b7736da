using System.Text.RegularExpressions;

namespace InitLab.Sweeps;

/// <summary>Opens the store a <c>--store</c> value names: a SQLite path, or a PostgreSQL connection string.</summary>
public static partial class SweepStores
{
    /// <summary>True when <paramref name="store"/> looks like a PostgreSQL connection string (postgres:// URI or Host=…;).</summary>
    public static bool IsConnectionString(string store) =>
        store.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase)
        || store.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase)
        || KeyValue().IsMatch(store);

    /// <summary>Opens the store; every failure becomes a <see cref="StoreUnavailableException"/> naming it.</summary>
    public static ISweepStore Open(string store)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(store);
        if (IsConnectionString(store))
            // the PostgreSQL backend arrives with the store's own factory; until then say so plainly
            throw new StoreUnavailableException(Mask(store), "PostgreSQL stores are not available in this build; give a SQLite file path");
        var full = Path.GetFullPath(store);
        if (Directory.Exists(full)) throw new StoreUnavailableException(full, "is a folder, not a store file");
        try
        {
            return new RunStoreSweepStore(full);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException or Microsoft.Data.Sqlite.SqliteException)
        {
            throw new StoreUnavailableException(full, e.Message, e);
        }
    }

    /// <summary>The connection string with any password replaced by ***.</summary>
    public static string Mask(string store) => Password().Replace(store, m => m.Groups[1].Value + "***");

    [GeneratedRegex(@"^\s*(host|server|database|username|user id)\s*=", RegexOptions.IgnoreCase)]
    private static partial Regex KeyValue();

    [GeneratedRegex(@"((?:password|pwd)\s*=)[^;]*|(?<=://[^:/@]+:)[^@]*(?=@)", RegexOptions.IgnoreCase)]
    private static partial Regex Password();
}
