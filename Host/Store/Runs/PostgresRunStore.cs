using System.Data.Common;
using System.Net.Sockets;
using Npgsql;

namespace InitLab.Store;

/// <summary>
/// The backend for many machines: a PostgreSQL database (its default schema, or the first of the
/// connection's search path). Migrations and <see cref="RunStore.BeginTask"/> serialise on
/// transaction-scoped advisory locks; every other write is one transaction.
/// </summary>
internal sealed class PostgresRunStore : RunStore
{
    // Advisory lock keys: one for migrations, one space (hash-derived) for tasks.
    const long MigrationLock = 0x496e69744c616231; // "InitLab1"
    const string ForeignKeyViolation = "23503";

    PostgresRunStore(string display, NpgsqlConnection connection, RunStoreOptions options) : base(display, connection, options) { }

    public override string Backend => "postgresql";

    public static PostgresRunStore OpenServer(StoreLocation.Postgres location, RunStoreOptions options)
    {
        var connection = new NpgsqlConnection(location.ConnectionString);
        try
        {
            connection.Open();
        }
        catch (Exception e) when (e is NpgsqlException or SocketException or TimeoutException or InvalidOperationException)
        {
            connection.Dispose();
            // Npgsql's messages name host and user but never the password.
            throw new RunStoreUnavailableException(location.Display,
                $"Run store '{location.Display}' cannot be reached: {Reason(e)}", e);
        }
        try
        {
            var store = new PostgresRunStore(location.Display, connection, options);
            store.SchemaVersion = store.Migrate();
            return store;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    static string Reason(Exception e) => e switch
    {
        PostgresException p => $"{p.MessageText} (SQLSTATE {p.SqlState})",
        _ when e.InnerException is SocketException s => s.Message,
        _ => e.Message,
    };

    int Migrate()
    {
        var latest = StoreSchema.PostgresLatest;
        using var tx = connection.BeginTransaction();
        // concurrent first opens wait here; the second then sees the first's committed version
        Execute("SELECT pg_advisory_xact_lock(@key);", tx, ("@key", MigrationLock));
        var hasVersionTable = Scalar("SELECT to_regclass('initlab_schema') IS NOT NULL;", tx) is true;
        var version = 0;
        if (hasVersionTable)
            version = Convert.ToInt32(Scalar("SELECT coalesce(max(version), 0) FROM initlab_schema;", tx));
        else if (Scalar("SELECT to_regclass('runs') IS NOT NULL OR to_regclass('metrics') IS NOT NULL;", tx) is true)
            throw new InvalidDataException($"'{Path}' is a PostgreSQL database but not an InitLab run store (it has a 'runs' or 'metrics' table but no schema version).");
        if (version > latest)
            throw new InvalidDataException(
                $"Run store '{Path}' has schema version {version}, newer than this build's {latest}; update InitLab.");
        if (version < latest)
        {
            if (!hasVersionTable) Execute("CREATE TABLE initlab_schema (version INTEGER NOT NULL);", tx);
            for (var step = version; step < latest; step++)
                Execute(StoreSchema.Postgres[step], tx);
            Execute("DELETE FROM initlab_schema; INSERT INTO initlab_schema (version) VALUES (@v);", tx, ("@v", latest));
        }
        tx.Commit();
        return latest;
    }

    object? Scalar(string sql, DbTransaction tx)
    {
        using var cmd = Command(sql, tx);
        return cmd.ExecuteScalar();
    }

    private protected override void LockTask(string configHash, DbTransaction tx) =>
        Execute("SELECT pg_advisory_xact_lock(@key);", tx,
            ("@key", BitConverter.ToInt64(Convert.FromHexString(configHash.AsSpan(0, 16)))));

    private protected override bool IsForeignKeyViolation(DbException e) =>
        e is PostgresException p && p.SqlState == ForeignKeyViolation;
}
