namespace InitLab.Store;

/// <summary>Options of <see cref="RunStore.Open(string, RunStoreOptions?)"/>.</summary>
/// <param name="StaleAfter">
/// A running run of another host whose last heartbeat is older than this is reported interrupted
/// (runs of this host are judged by whether their process is alive). Default 10 minutes.
/// </param>
/// <param name="ConnectTimeoutSeconds">How long to wait for a PostgreSQL server (ignored by SQLite). Default 15.</param>
public sealed record RunStoreOptions(TimeSpan? StaleAfter = null, int ConnectTimeoutSeconds = 15)
{
    /// <summary>The effective heartbeat timeout.</summary>
    public TimeSpan StaleAfterOrDefault => StaleAfter ?? TimeSpan.FromMinutes(10);
}
