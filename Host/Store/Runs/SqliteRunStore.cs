using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace InitLab.Store;

/// <summary>
/// The embedded backend: one SQLite file in WAL mode. Writers in other processes wait for each other
/// (busy timeout); a transaction that writes takes the write lock when it begins (IMMEDIATE), so
/// <see cref="RunStore.BeginTask"/> needs no extra lock.
/// </summary>
internal sealed class SqliteRunStore : RunStore
{
    const int BusyTimeoutMs = 60_000;
    const int SqliteConstraint = 19, SqliteCantOpen = 14, SqliteNotADatabase = 26, SqliteConstraintForeignKey = 787;

    SqliteRunStore(string path, SqliteConnection connection, RunStoreOptions options) : base(path, connection, options) { }

    public override string Backend => "sqlite";

    public static SqliteRunStore OpenFile(string full, RunStoreOptions options)
    {
        if (Directory.Exists(full))
            throw new RunStoreUnavailableException(full, $"Run store '{full}' is a directory, not a SQLite database file.");
        var dir = System.IO.Path.GetDirectoryName(full);
        try
        {
            if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
        }
        catch (IOException e)
        {
            throw new RunStoreUnavailableException(full, $"Run store '{full}': cannot create its directory ({e.Message}).", e);
        }

        var cs = new SqliteConnectionStringBuilder
        {
            DataSource = full,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false, // Dispose must release the file (tests delete it; other processes may replace it).
            DefaultTimeout = BusyTimeoutMs / 1000,
        }.ToString();
        var connection = new SqliteConnection(cs);
        try
        {
            connection.Open();
            Execute(connection, $"PRAGMA busy_timeout = {BusyTimeoutMs};");
            Execute(connection, "PRAGMA journal_mode = WAL;");
            // FULL: a committed metric survives power loss, not only a process crash.
            Execute(connection, "PRAGMA synchronous = FULL;");
            // e_sqlite3 enforces foreign keys by default: step 2 rebuilds runs, which must not cascade into metrics
            Execute(connection, "PRAGMA foreign_keys = OFF;");
            var store = new SqliteRunStore(full, connection, options);
            store.SchemaVersion = store.Migrate();
            Execute(connection, "PRAGMA foreign_keys = ON;");
            return store;
        }
        catch (SqliteException e) when (e.SqliteErrorCode == SqliteNotADatabase)
        {
            connection.Dispose();
            throw new InvalidDataException($"Run store '{full}' is not a SQLite database (corrupt or another kind of file).", e);
        }
        catch (SqliteException e) when (e.SqliteErrorCode == SqliteCantOpen)
        {
            connection.Dispose();
            throw new RunStoreUnavailableException(full, $"Run store '{full}' cannot be opened: {e.Message}", e);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    int Migrate()
    {
        var latest = StoreSchema.SqliteLatest;
        var c = (SqliteConnection)connection;
        var version = UserVersion(c);
        if (version == latest) return version;
        // IMMEDIATE transaction: two processes opening a fresh store serialise here; the second sees the
        // version the first committed and applies nothing.
        using var tx = c.BeginTransaction(deferred: false);
        version = UserVersion(c, tx);
        if (version > latest)
            throw new InvalidDataException(
                $"Run store '{Path}' has schema version {version}, newer than this build's {latest}; update InitLab.");
        if (version == 0 && Scalar<long>(c, "SELECT count(*) FROM sqlite_master;", tx) > 0)
            throw new InvalidDataException($"'{Path}' is a SQLite database but not an InitLab run store (it has tables but no schema version).");
        for (var step = version; step < latest; step++)
            Execute(c, StoreSchema.Sqlite[step], tx);
        if (version < 2) FillConfigHashes(tx);
        if (Scalar<object?>(c, "PRAGMA foreign_key_check;", tx) is not null)
            throw new InvalidDataException($"Run store '{Path}': migrating to schema {latest} left metrics or artifacts without their run; nothing was changed.");
        Execute(c, $"PRAGMA user_version = {latest};", tx);
        tx.Commit();
        return latest;
    }

    /// <summary>Schema 2 keys runs by config hash; rows written before it get theirs here.</summary>
    void FillConfigHashes(DbTransaction tx)
    {
        var rows = new List<(long Id, string Config)>();
        using (var cmd = Command("SELECT id, config FROM runs WHERE config_hash = '';", tx))
        using (var r = cmd.ExecuteReader())
            while (r.Read()) rows.Add((r.GetInt64(0), r.GetString(1)));
        foreach (var (id, config) in rows)
            Execute("UPDATE runs SET config_hash = @hash WHERE id = @id;", tx, ("@hash", HashCanonical(config)), ("@id", id));
    }

    private protected override void LockTask(string configHash, DbTransaction tx) { }

    private protected override bool IsForeignKeyViolation(DbException e) =>
        e is SqliteException s && s.SqliteErrorCode == SqliteConstraint && s.SqliteExtendedErrorCode == SqliteConstraintForeignKey;

    static int UserVersion(SqliteConnection c, SqliteTransaction? tx = null) =>
        (int)Scalar<long>(c, "PRAGMA user_version;", tx);

    static void Execute(SqliteConnection c, string sql, SqliteTransaction? tx = null)
    {
        using var cmd = c.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    static T Scalar<T>(SqliteConnection c, string sql, SqliteTransaction? tx = null)
    {
        using var cmd = c.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        return (T)cmd.ExecuteScalar()!;
    }
}
