using System.Data;
using System.Data.Common;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace InitLab.Store;

/// <summary>
/// Runs, their metrics and artifacts. Two backends share this API and one schema: a SQLite file (WAL;
/// the embedded default) and a PostgreSQL database (for many machines). Several processes may write at
/// once: each write is its own transaction. One instance holds one connection; its methods are thread-safe.
/// <para>
/// A run's row records the process that runs it (host, pid, process start) and a heartbeat (every
/// metric write); a row left running by a process that is gone reads <see cref="RunStatus.Interrupted"/>.
/// </para>
/// </summary>
public abstract partial class RunStore : IDisposable
{
    private protected readonly DbConnection connection;
    private protected readonly Lock gate = new();
    readonly string owner = Guid.NewGuid().ToString("N");
    readonly TimeSpan staleAfter;

    /// <summary>The store as shown to users: the database file's full path, or a PostgreSQL URI without password.</summary>
    public string Path { get; }

    /// <summary>Schema version of the store (equals the latest this build knows after opening).</summary>
    public int SchemaVersion { get; private protected set; }

    /// <summary>"sqlite" or "postgresql".</summary>
    public abstract string Backend { get; }

    private protected RunStore(string display, DbConnection connection, RunStoreOptions options)
    {
        Path = display;
        this.connection = connection;
        staleAfter = options.StaleAfterOrDefault;
    }

    /// <summary>
    /// Opens the store at <paramref name="location"/>: a PostgreSQL connection string (<c>Host=...;...</c>)
    /// or URI (<c>postgresql://...</c>) opens that database; anything else is a SQLite file path, created
    /// (with its directory) if needed. The schema is migrated to the latest version.
    /// </summary>
    /// <exception cref="InvalidDataException">The file or database is not a run store, or is newer than this build.</exception>
    /// <exception cref="RunStoreUnavailableException">The store cannot be reached or opened.</exception>
    /// <exception cref="ArgumentException">A malformed PostgreSQL connection string.</exception>
    public static RunStore Open(string location, RunStoreOptions? options = null)
    {
        options ??= new RunStoreOptions();
        return StoreLocation.Parse(location, options) switch
        {
            StoreLocation.SqliteFile f => SqliteRunStore.OpenFile(f.FullPath, options),
            StoreLocation.Postgres p => PostgresRunStore.OpenServer(p, options),
            var other => throw new NotSupportedException($"Unknown store location {other.Display}."),
        };
    }

    /// <summary>True when <paramref name="location"/> names a PostgreSQL server rather than a SQLite file.</summary>
    public static bool IsPostgresLocation(string location) => StoreLocation.IsPostgres(location ?? "");

    /// <summary>
    /// Lower-case hexadecimal SHA-256 of the canonical form (sorted keys, no whitespace) of
    /// <paramref name="configJson"/>: two layouts of one configuration have one hash.
    /// </summary>
    public static string ConfigHash(string configJson) =>
        HashCanonical(CanonicalJson.Normalize(configJson ?? "", "Config"));

    private protected static string HashCanonical(string canonical) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));

    // ---- backend hooks ----

    /// <summary>Serialises <see cref="BeginTask"/> for one configuration hash inside <paramref name="tx"/>.</summary>
    private protected abstract void LockTask(string configHash, DbTransaction tx);

    private protected abstract bool IsForeignKeyViolation(DbException e);

    // ---- runs ----

    /// <summary>Records a new run with status <see cref="RunStatus.Running"/>, owned by this process, and returns its id.</summary>
    public long StartRun(RunInfo info)
    {
        var (config, hash) = Validate(info);
        lock (gate) return Insert(info, config, hash, null);
    }

    /// <summary>
    /// What a sweep task does first, atomically even with other machines at the same store: when a run of
    /// this configuration has finished, nothing (<see cref="TaskStartOutcome.AlreadyFinished"/>); when one is
    /// interrupted, failed or stopped, it is reopened (<see cref="TaskStartOutcome.Resumed"/>: same row);
    /// when a live process runs it, nothing (<see cref="TaskStartOutcome.Busy"/>); otherwise a new run
    /// (<see cref="TaskStartOutcome.Started"/>). A configuration is therefore trained by one process at a time
    /// and finished at most once.
    /// </summary>
    public TaskStart BeginTask(RunInfo info)
    {
        var (config, hash) = Validate(info);
        lock (gate)
        {
            using var tx = connection.BeginTransaction();
            LockTask(hash, tx);
            var rows = Query($"SELECT {StoreSchema.RunColumns} FROM runs WHERE config_hash = @hash ORDER BY id DESC;", tx, ("@hash", hash));
            TaskStart result;
            if (rows.FirstOrDefault(r => r.Status == RunStatus.Finished) is { } done)
                result = new TaskStart(TaskStartOutcome.AlreadyFinished, done);
            else if (rows.FirstOrDefault(r => r.Status == RunStatus.Running) is { } busy)
                result = new TaskStart(TaskStartOutcome.Busy, busy);
            else if (rows.FirstOrDefault() is { } previous)
                result = new TaskStart(TaskStartOutcome.Resumed, Reopen(previous, tx), previous.Status);
            else
                result = new TaskStart(TaskStartOutcome.Started, GetRunLocked(Insert(info, config, hash, tx), tx)!);
            tx.Commit();
            return result;
        }
    }

    /// <summary>
    /// Reopens run <paramref name="id"/> (interrupted, failed, stopped, or left running by a dead process)
    /// for this process: status running again, same row, attempts + 1. Metrics logged again for a step
    /// replace the old values.
    /// </summary>
    /// <exception cref="ArgumentException">Unknown run.</exception>
    /// <exception cref="InvalidOperationException">The run finished, or a live process runs it.</exception>
    public RunRecord ReopenRun(long id)
    {
        lock (gate)
        {
            using var tx = connection.BeginTransaction();
            var run = GetRunLocked(id, tx) ?? throw MissingRun(id);
            if (run.Status == RunStatus.Finished)
                throw new InvalidOperationException($"Run {id} ('{run.Study}/{run.Name}') has finished; a finished run is not reopened.");
            if (run.Status == RunStatus.Running)
                throw new InvalidOperationException(
                    $"Run {id} ('{run.Study}/{run.Name}') is running in process {run.Owner?.Pid} on {run.Owner?.Host}; it cannot be reopened.");
            var reopened = Reopen(run, tx);
            tx.Commit();
            return reopened;
        }
    }

    /// <summary>Records a sign of life of run <paramref name="run"/> (metric writes do so too).</summary>
    public void Heartbeat(long run)
    {
        lock (gate)
        {
            if (Execute("UPDATE runs SET heartbeat = @now WHERE id = @id AND status = 'running' AND owner = @owner;", null,
                    ("@now", Now()), ("@id", run), ("@owner", owner)) == 0)
                _ = GetRunLocked(run) ?? throw MissingRun(run);
        }
    }

    /// <summary>
    /// Sends heartbeats for <paramref name="run"/> every <paramref name="every"/> (default a quarter of
    /// <see cref="RunStoreOptions.StaleAfter"/>) until disposed, so a run that logs rarely (long epochs,
    /// long evaluations) is not taken for dead by other hosts. A failed heartbeat is retried at the next tick.
    /// </summary>
    public IDisposable KeepAlive(long run, TimeSpan? every = null)
    {
        var period = every ?? staleAfter / 4;
        if (period <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(every), period, "The heartbeat period must be positive.");
        return new HeartbeatTimer(() =>
        {
            try
            {
                Heartbeat(run);
            }
            catch (Exception e) when (e is DbException or InvalidOperationException or ObjectDisposedException or ArgumentException)
            {
                // the store is closing or briefly unreachable: the next tick tries again
            }
        }, period);
    }

    /// <summary>A timer whose Dispose returns only after its last tick has completed.</summary>
    sealed class HeartbeatTimer(Action tick, TimeSpan period) : IDisposable
    {
        readonly Timer timer = new(_ => tick(), null, period, period);

        public void Dispose()
        {
            using var done = new ManualResetEvent(false);
            if (timer.Dispose(done)) done.WaitOne();
        }
    }

    /// <summary>
    /// Ends a running run of this store instance with <paramref name="status"/> (not <see cref="RunStatus.Running"/>):
    /// <see cref="RunStatus.Failed"/> with the reason, <see cref="RunStatus.Interrupted"/> on a signal or cancellation.
    /// </summary>
    /// <exception cref="ArgumentException">Unknown run or status Running.</exception>
    /// <exception cref="InvalidOperationException">The run has already ended, or another process has taken it over.</exception>
    public void FinishRun(long run, RunStatus status, string? message = null)
    {
        if (status == RunStatus.Running || !Enum.IsDefined(status))
            throw new ArgumentException($"A run cannot be finished with status {status}.", nameof(status));
        lock (gate)
        {
            if (Execute("""
                    UPDATE runs SET status = @status, ended = @ended, message = @message, heartbeat = @ended
                    WHERE id = @id AND status = 'running' AND owner = @owner;
                    """, null,
                    ("@status", StatusText(status)), ("@ended", Now()), ("@message", message), ("@id", run), ("@owner", owner)) == 1)
                return;
            var existing = GetRunLocked(run) ?? throw MissingRun(run);
            if (existing.Status == RunStatus.Running || existing.Ended is null)
                throw new InvalidOperationException(
                    $"Run {run} ('{existing.Study}/{existing.Name}') was taken over by process {existing.Owner?.Pid} on {existing.Owner?.Host}; this process no longer owns it.");
            throw new InvalidOperationException(
                $"Run {run} ('{existing.Study}/{existing.Name}') has already ended as {StatusText(existing.Status)}.");
        }
    }

    /// <summary>
    /// Writes <see cref="RunStatus.Interrupted"/> into every row still marked running whose process is gone
    /// (or silent too long); returns how many. Reads already show such rows as interrupted.
    /// </summary>
    public int MarkAbandonedRuns()
    {
        lock (gate)
        {
            using var tx = connection.BeginTransaction();
            var n = 0;
            foreach (var r in Query($"SELECT {StoreSchema.RunColumns} FROM runs WHERE status = 'running';", tx))
                if (r.Status == RunStatus.Interrupted && r.Heartbeat is { } beat)
                    // the heartbeat pins the row's state as read: a run reopened meanwhile has a newer one
                    n += Execute("UPDATE runs SET status = 'interrupted', ended = @now, message = @msg WHERE id = @id AND status = 'running' AND heartbeat = @beat;",
                        tx, ("@now", Now()), ("@msg", r.Message), ("@id", r.Id), ("@beat", Timestamp(beat)));
            tx.Commit();
            return n;
        }
    }

    /// <summary>All runs, or those of one study, oldest first.</summary>
    public IReadOnlyList<RunRecord> GetRuns(string? study = null)
    {
        lock (gate)
            return study is null
                ? Query($"SELECT {StoreSchema.RunColumns} FROM runs ORDER BY id;", null)
                : Query($"SELECT {StoreSchema.RunColumns} FROM runs WHERE study = @study ORDER BY id;", null, ("@study", study));
    }

    /// <summary>The run with id <paramref name="id"/>, or null.</summary>
    public RunRecord? GetRun(long id)
    {
        lock (gate) return GetRunLocked(id);
    }

    /// <summary>
    /// The most recent finished run of <paramref name="study"/> named <paramref name="name"/> whose
    /// configuration equals <paramref name="configJson"/> (compared in canonical form), or null.
    /// </summary>
    public RunRecord? FindFinishedRun(string study, string name, string configJson)
    {
        var config = CanonicalJson.Normalize(configJson, $"Config of run '{study}/{name}'");
        lock (gate)
            return Query($"""
                SELECT {StoreSchema.RunColumns} FROM runs
                WHERE config_hash = @hash AND study = @study AND name = @name AND config = @config AND status = 'finished'
                ORDER BY id DESC LIMIT 1;
                """, null, ("@hash", HashCanonical(config)), ("@study", study), ("@name", name), ("@config", config)).FirstOrDefault();
    }

    /// <summary>The most recent finished run whose <see cref="ConfigHash"/> is <paramref name="configHash"/> (any study), or null.</summary>
    public RunRecord? FindFinishedRunByConfigHash(string configHash)
    {
        lock (gate)
            return Query($"SELECT {StoreSchema.RunColumns} FROM runs WHERE config_hash = @hash AND status = 'finished' ORDER BY id DESC LIMIT 1;",
                null, ("@hash", Hash(configHash))).FirstOrDefault();
    }

    /// <summary>
    /// The most recent unfinished run of <paramref name="configHash"/>: running (check <see cref="RunRecord.Status"/>:
    /// a dead process's run reads interrupted), interrupted, failed or stopped; null when there is none or the
    /// configuration has finished.
    /// </summary>
    public RunRecord? FindResumableRunByConfigHash(string configHash)
    {
        lock (gate)
        {
            var rows = Query($"SELECT {StoreSchema.RunColumns} FROM runs WHERE config_hash = @hash ORDER BY id DESC;", null, ("@hash", Hash(configHash)));
            return rows.Any(r => r.Status == RunStatus.Finished) ? null : rows.FirstOrDefault();
        }
    }

    /// <summary>
    /// Per task (configuration hash) the run that decides its state: the finished run if any, else the live
    /// running one, else the latest. Hashes with no run are absent (pending).
    /// </summary>
    public IReadOnlyDictionary<string, RunRecord> GetTaskRuns(IEnumerable<string> configHashes)
    {
        ArgumentNullException.ThrowIfNull(configHashes);
        var wanted = configHashes.Select(Hash).ToHashSet(StringComparer.Ordinal);
        var result = new Dictionary<string, RunRecord>(StringComparer.Ordinal);
        if (wanted.Count == 0) return result;
        List<RunRecord> rows;
        lock (gate) rows = Query($"SELECT {StoreSchema.RunColumns} FROM runs ORDER BY id DESC;", null);
        foreach (var g in rows.Where(r => wanted.Contains(r.ConfigHash)).GroupBy(r => r.ConfigHash))
            result[g.Key] = g.FirstOrDefault(r => r.Status == RunStatus.Finished)
                            ?? g.FirstOrDefault(r => r.Status == RunStatus.Running)
                            ?? g.First();
        return result;
    }

    /// <summary>Closes the connection.</summary>
    public void Dispose()
    {
        lock (gate) connection.Dispose();
        GC.SuppressFinalize(this);
    }

    // ---- helpers ----

    (string Config, string Hash) Validate(RunInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        ArgumentException.ThrowIfNullOrWhiteSpace(info.Study, nameof(info.Study));
        ArgumentException.ThrowIfNullOrWhiteSpace(info.Name, nameof(info.Name));
        var config = CanonicalJson.Normalize(info.ConfigJson ?? "", $"Config of run '{info.Study}/{info.Name}'");
        return (config, HashCanonical(config));
    }

    static string Hash(string configHash)
    {
        if (configHash is null || configHash.Length != 64 || !configHash.All(Uri.IsHexDigit))
            throw new ArgumentException($"A config hash is 64 hexadecimal digits (RunStore.ConfigHash), got '{configHash}'.", nameof(configHash));
        return configHash.ToLowerInvariant();
    }

    long Insert(RunInfo info, string config, string hash, DbTransaction? tx)
    {
        var me = RunOwner.Current;
        var now = Now();
        using var cmd = Command("""
            INSERT INTO runs (study, name, config, seed, data_fingerprint, code_version, status, started,
                              config_hash, host, pid, process_started, heartbeat, owner, attempts)
            VALUES (@study, @name, @config, @seed, @fp, @code, 'running', @started,
                    @hash, @host, @pid, @pstart, @started, @owner, 1)
            RETURNING id;
            """, tx,
            ("@study", info.Study), ("@name", info.Name), ("@config", config), ("@seed", info.Seed),
            ("@fp", info.DataFingerprint), ("@code", info.CodeVersion), ("@started", now), ("@hash", hash),
            ("@host", me.Host), ("@pid", me.Pid), ("@pstart", me.ProcessStarted), ("@owner", owner));
        return Convert.ToInt64(cmd.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    RunRecord Reopen(RunRecord run, DbTransaction tx)
    {
        var me = RunOwner.Current;
        Execute("""
            UPDATE runs SET status = 'running', ended = NULL, message = NULL, host = @host, pid = @pid,
                            process_started = @pstart, heartbeat = @now, owner = @owner, attempts = attempts + 1
            WHERE id = @id;
            """, tx, ("@host", me.Host), ("@pid", me.Pid), ("@pstart", me.ProcessStarted), ("@now", Now()),
            ("@owner", owner), ("@id", run.Id));
        return GetRunLocked(run.Id, tx)!;
    }

    ArgumentException MissingRun(long id) => new($"Run {id} does not exist in store '{Path}'.", "run");

    RunRecord? GetRunLocked(long id, DbTransaction? tx = null) =>
        Query($"SELECT {StoreSchema.RunColumns} FROM runs WHERE id = @id;", tx, ("@id", id)).FirstOrDefault();

    List<RunRecord> Query(string sql, DbTransaction? tx, params (string Name, object? Value)[] args)
    {
        using var cmd = Command(sql, tx, args);
        using var r = cmd.ExecuteReader();
        var result = new List<RunRecord>();
        while (r.Read())
        {
            var stored = ParseStatus(r.GetString(7));
            RunOwner? runOwner = r.IsDBNull(12) ? null
                : new RunOwner(r.GetString(12), r.IsDBNull(13) ? 0 : Convert.ToInt32(r.GetValue(13), CultureInfo.InvariantCulture),
                               r.IsDBNull(14) ? null : r.GetString(14));
            DateTimeOffset? heartbeat = r.IsDBNull(15) ? null : ParseTimestamp(r.GetString(15));
            var message = r.IsDBNull(10) ? null : r.GetString(10);
            var status = stored;
            if (stored == RunStatus.Running && Abandoned(runOwner, heartbeat) is { } why)
            {
                status = RunStatus.Interrupted;
                message = why;
            }
            result.Add(new RunRecord(
                Id: r.GetInt64(0),
                Study: r.GetString(1),
                Name: r.GetString(2),
                ConfigJson: r.GetString(3),
                Seed: r.GetInt64(4),
                DataFingerprint: r.IsDBNull(5) ? null : r.GetString(5),
                CodeVersion: r.IsDBNull(6) ? null : r.GetString(6),
                Status: status,
                Started: ParseTimestamp(r.GetString(8)),
                Ended: r.IsDBNull(9) ? null : ParseTimestamp(r.GetString(9)),
                Message: message,
                ConfigHash: r.GetString(11),
                Owner: runOwner,
                Heartbeat: heartbeat,
                Attempts: Convert.ToInt32(r.GetValue(16), CultureInfo.InvariantCulture)));
        }
        return result;
    }

    /// <summary>Why a row marked running is in truth interrupted, or null when it may be alive.</summary>
    string? Abandoned(RunOwner? runOwner, DateTimeOffset? heartbeat)
    {
        if (runOwner is not null && runOwner.IsGoneFromThisHost())
            return $"interrupted: process {runOwner.Pid} on {runOwner.Host} is gone";
        if (heartbeat is { } beat && DateTimeOffset.UtcNow - beat > staleAfter
            && (runOwner is null || !string.Equals(runOwner.Host, Environment.MachineName, StringComparison.OrdinalIgnoreCase)))
            return $"interrupted: no heartbeat from {runOwner?.Host ?? "its process"} since {beat:O}";
        // rows of schema 1 carry no owner and no heartbeat: nothing is known, they stay running
        return null;
    }

    private protected DbCommand Command(string sql, DbTransaction? tx, params (string Name, object? Value)[] args)
    {
        var cmd = connection.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        foreach (var (name, value) in args)
        {
            var p = cmd.CreateParameter();
            p.ParameterName = name;
            p.Value = value ?? DBNull.Value;
            p.DbType = value switch
            {
                long => DbType.Int64,
                int => DbType.Int32,
                double => DbType.Double,
                _ => DbType.String,
            };
            cmd.Parameters.Add(p);
        }
        return cmd;
    }

    static DbParameter AddTyped(DbCommand cmd, string name, DbType type)
    {
        var p = cmd.CreateParameter();
        p.ParameterName = name;
        p.DbType = type;
        cmd.Parameters.Add(p);
        return p;
    }

    private protected int Execute(string sql, DbTransaction? tx, params (string Name, object? Value)[] args)
    {
        using var cmd = Command(sql, tx, args);
        return cmd.ExecuteNonQuery();
    }

    static string StatusText(RunStatus s) => s.ToString().ToLowerInvariant();

    RunStatus ParseStatus(string s) => s switch
    {
        "running" => RunStatus.Running,
        "finished" => RunStatus.Finished,
        "failed" => RunStatus.Failed,
        "stopped" => RunStatus.Stopped,
        "interrupted" => RunStatus.Interrupted,
        _ => throw new InvalidDataException($"Run store '{Path}' holds an unknown run status '{s}'."),
    };

    static string Now() => Timestamp(DateTimeOffset.UtcNow);

    static string Timestamp(DateTimeOffset t) => t.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);

    static DateTimeOffset ParseTimestamp(string s) =>
        DateTimeOffset.Parse(s, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);
}
