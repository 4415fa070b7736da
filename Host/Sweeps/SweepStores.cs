using System.Text.RegularExpressions;
using InitLab.Store;

namespace InitLab.Sweeps;

/// <summary>Opens the store a <c>--store</c> value names: a SQLite path, or a PostgreSQL connection string or URI.</summary>
public static partial class SweepStores
{
    /// <summary>True when <paramref name="store"/> names a PostgreSQL server (postgres:// URI or Host=…;), as <see cref="RunStore.Open"/> reads it.</summary>
    public static bool IsConnectionString(string store) => RunStore.IsPostgresLocation(store);

    /// <summary>Opens the store through <see cref="RunStore.Open"/>; every failure becomes a <see cref="StoreUnavailableException"/> naming it (never its password).</summary>
    public static RunStore Open(string store)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(store);
        string shown = IsConnectionString(store) ? Mask(store) : Path.GetFullPath(store);
        if (!IsConnectionString(store) && Directory.Exists(shown)) throw new StoreUnavailableException(shown, "is a folder, not a store file");
        try
        {
            return RunStore.Open(store);
        }
        catch (RunStoreUnavailableException e)
        {
            throw new StoreUnavailableException(e.Store, e.Message, e);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException or ArgumentException
                                      or Microsoft.Data.Sqlite.SqliteException or System.Data.Common.DbException)
        {
            throw new StoreUnavailableException(shown, e.Message, e);
        }
    }

    /// <summary>The connection string with any password replaced by ***.</summary>
    public static string Mask(string store) => Password().Replace(store, m => m.Groups[1].Value + "***");

    [GeneratedRegex(@"((?:password|pwd)\s*=)[^;]*|(?<=://[^:/@]+:)[^@]*(?=@)", RegexOptions.IgnoreCase)]
    private static partial Regex Password();
}
