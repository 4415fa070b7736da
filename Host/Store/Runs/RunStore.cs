using System.Globalization;
using System.Security.Cryptography;
using Microsoft.Data.Sqlite;

namespace InitLab.Store;

/// <summary>
/// Runs, their metrics and artifacts in one SQLite file (WAL mode). Several processes may write to the
/// same store at once: each write is its own transaction and waits (busy timeout) for the others.
/// One instance holds one connection; its methods are thread-safe.
/// </summary>
public sealed class RunStore : IDisposable
{
    const int BusyTimeoutMs = 60_000;
    const int SqliteConstraint = 19, SqliteNotADatabase = 26, SqliteConstraintForeignKey = 787;

    readonly SqliteConnection connection;
    readonly Lock gate = new();

    /// <summary>Full path of the store's database file.</summary>
    public string Path { get; }

    /// <summary>Schema version of the file (equals the latest this build knows after <see cref="Open"/>).</summary>
    public int SchemaVersion { get; }

    RunStore(string path, SqliteConnection connection, int schemaVersion)
    {
        Path = path;
        this.connection = connection;
        SchemaVersion = schemaVersion;
    }

    /// <summary>
    /// Opens the store at <paramref name="path"/>, creating the file (and its directory) if needed and
    /// migrating its schema to the latest version.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is not a SQLite database, not a run store, or newer than this build.</exception>
    public static RunStore Open(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var full = System.IO.Path.GetFullPath(path);
        var dir = System.IO.Path.GetDirectoryName(full);
        if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);

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
            Execute(connection, "PRAGMA foreign_keys = ON;");
            var version = Migrate(connection, full);
            return new RunStore(full, connection, version);
        }
        catch (SqliteException e) when (e.SqliteErrorCode == SqliteNotADatabase)
        {
            connection.Dispose();
            throw new InvalidDataException($"Run store '{full}' is not a SQLite database (corrupt or another kind of file).", e);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    static int Migrate(SqliteConnection connection, string path)
    {
        var latest = StoreSchema.LatestVersion;
        var version = UserVersion(connection);
        if (version == latest) return version;
        // IMMEDIATE transaction: two processes opening a fresh store serialise here; the second sees the
        // version the first committed and applies nothing.
        using var tx = connection.BeginTransaction(deferred: false);
        version = UserVersion(connection, tx);
        if (version > latest)
            throw new InvalidDataException(
                $"Run store '{path}' has schema version {version}, newer than this build's {latest}; update InitLab.");
        if (version == 0 && Scalar<long>(connection, "SELECT count(*) FROM sqlite_master;", tx) > 0)
            throw new InvalidDataException($"'{path}' is a SQLite database but not an InitLab run store (it has tables but no schema version).");
        for (var step = version; step < latest; step++)
            Execute(connection, StoreSchema.Migrations[step], tx);
        Execute(connection, $"PRAGMA user_version = {latest};", tx);
        tx.Commit();
        return latest;
    }

    static int UserVersion(SqliteConnection c, SqliteTransaction? tx = null) =>
        (int)Scalar<long>(c, "PRAGMA user_version;", tx);

    /// <summary>Records a new run with status <see cref="RunStatus.Running"/> and returns its id.</summary>
    public long StartRun(RunInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        ArgumentException.ThrowIfNullOrWhiteSpace(info.Study, nameof(info.Study));
        ArgumentException.ThrowIfNullOrWhiteSpace(info.Name, nameof(info.Name));
        var config = CanonicalJson.Normalize(info.ConfigJson ?? "", $"Config of run '{info.Study}/{info.Name}'");
        lock (gate)
        {
            using var cmd = connection.CreateCommand();
            cmd.CommandText = """
                INSERT INTO runs (study, name, config, seed, data_fingerprint, code_version, status, started)
                VALUES ($study, $name, $config, $seed, $fp, $code, 'running', $started)
                RETURNING id;
                """;
            cmd.Parameters.AddWithValue("$study", info.Study);
            cmd.Parameters.AddWithValue("$name", info.Name);
            cmd.Parameters.AddWithValue("$config", config);
            cmd.Parameters.AddWithValue("$seed", info.Seed);
            cmd.Parameters.AddWithValue("$fp", (object?)info.DataFingerprint ?? DBNull.Value);
            cmd.Parameters.AddWithValue("$code", (object?)info.CodeVersion ?? DBNull.Value);
            cmd.Parameters.AddWithValue("$started", Timestamp(DateTimeOffset.UtcNow));
            return (long)cmd.ExecuteScalar()!;
        }
    }

    /// <summary>Records one metric value; a second value for the same run, name and step replaces the first.</summary>
    public void LogMetric(long run, long step, string name, double value) =>
        LogMetrics(run, [new MetricPoint(step, name, value)]);

    /// <summary>Records many metric values in one transaction (all or none).</summary>
    public void LogMetrics(long run, IEnumerable<MetricPoint> points)
    {
        ArgumentNullException.ThrowIfNull(points);
        var list = points.ToList();
        foreach (var p in list)
            if (string.IsNullOrWhiteSpace(p.Name))
                throw new ArgumentException($"Metric at step {p.Step} of run {run} has an empty name.", nameof(points));
        if (list.Count == 0) return;
        lock (gate)
        {
            using var tx = connection.BeginTransaction(deferred: false);
            using var cmd = connection.CreateCommand();
            cmd.Transaction = tx;
            cmd.CommandText = """
                INSERT INTO metrics (run, step, name, value) VALUES ($run, $step, $name, $value)
                ON CONFLICT (run, name, step) DO UPDATE SET value = excluded.value;
                """;
            var pRun = cmd.Parameters.Add("$run", SqliteType.Integer);
            var pStep = cmd.Parameters.Add("$step", SqliteType.Integer);
            var pName = cmd.Parameters.Add("$name", SqliteType.Text);
            var pValue = cmd.Parameters.Add("$value", SqliteType.Real);
            cmd.Prepare();
            pRun.Value = run;
            try
            {
                foreach (var p in list)
                {
                    pStep.Value = p.Step;
                    pName.Value = p.Name;
                    pValue.Value = double.IsNaN(p.Value) ? DBNull.Value : p.Value;
                    cmd.ExecuteNonQuery();
                }
            }
            catch (SqliteException e) when (IsMissingRun(e))
            {
                throw new ArgumentException($"Run {run} does not exist in store '{Path}'.", nameof(run), e);
            }
            tx.Commit();
        }
    }

    /// <summary>
    /// Records a file produced by a run. When <paramref name="sha256"/> is null the file is hashed now
    /// (it must exist).
    /// </summary>
    public ArtifactRecord AddArtifact(long run, string kind, string path, string? sha256 = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(kind);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (sha256 is null)
        {
            using var file = File.OpenRead(path);
            sha256 = Convert.ToHexStringLower(SHA256.HashData(file));
        }
        else if (sha256.Length != 64 || !sha256.All(Uri.IsHexDigit))
            throw new ArgumentException($"SHA-256 of artifact '{path}' must be 64 hexadecimal digits, got '{sha256}'.", nameof(sha256));
        sha256 = sha256.ToLowerInvariant();
        lock (gate)
        {
            using var cmd = connection.CreateCommand();
            cmd.CommandText = "INSERT INTO artifacts (run, kind, path, sha256) VALUES ($run, $kind, $path, $sha) RETURNING id;";
            cmd.Parameters.AddWithValue("$run", run);
            cmd.Parameters.AddWithValue("$kind", kind);
            cmd.Parameters.AddWithValue("$path", path);
            cmd.Parameters.AddWithValue("$sha", sha256);
            try
            {
                var id = (long)cmd.ExecuteScalar()!;
                return new ArtifactRecord(id, run, kind, path, sha256);
            }
            catch (SqliteException e) when (IsMissingRun(e))
            {
                throw new ArgumentException($"Run {run} does not exist in store '{Path}'.", nameof(run), e);
            }
        }
    }

    /// <summary>Ends a running run with <paramref name="status"/> (not <see cref="RunStatus.Running"/>).</summary>
    /// <exception cref="ArgumentException">Unknown run or status Running.</exception>
    /// <exception cref="InvalidOperationException">The run has already ended.</exception>
    public void FinishRun(long run, RunStatus status, string? message = null)
    {
        if (status == RunStatus.Running || !Enum.IsDefined(status))
            throw new ArgumentException($"A run cannot be finished with status {status}.", nameof(status));
        lock (gate)
        {
            using var cmd = connection.CreateCommand();
            cmd.CommandText = """
                UPDATE runs SET status = $status, ended = $ended, message = $message
                WHERE id = $id AND status = 'running';
                """;
            cmd.Parameters.AddWithValue("$status", StatusText(status));
            cmd.Parameters.AddWithValue("$ended", Timestamp(DateTimeOffset.UtcNow));
            cmd.Parameters.AddWithValue("$message", (object?)message ?? DBNull.Value);
            cmd.Parameters.AddWithValue("$id", run);
            if (cmd.ExecuteNonQuery() == 1) return;
            var existing = GetRunLocked(run)
                ?? throw new ArgumentException($"Run {run} does not exist in store '{Path}'.", nameof(run));
            throw new InvalidOperationException(
                $"Run {run} ('{existing.Study}/{existing.Name}') has already ended as {StatusText(existing.Status)}.");
        }
    }

    /// <summary>All runs, or those of one study, oldest first.</summary>
    public IReadOnlyList<RunRecord> GetRuns(string? study = null)
    {
        lock (gate)
        {
            using var cmd = connection.CreateCommand();
            cmd.CommandText = study is null
                ? $"SELECT {RunColumns} FROM runs ORDER BY id;"
                : $"SELECT {RunColumns} FROM runs WHERE study = $study ORDER BY id;";
            if (study is not null) cmd.Parameters.AddWithValue("$study", study);
            return ReadRuns(cmd);
        }
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
        {
            using var cmd = connection.CreateCommand();
            cmd.CommandText = $"""
                SELECT {RunColumns} FROM runs
                WHERE study = $study AND name = $name AND config = $config AND status = 'finished'
                ORDER BY id DESC LIMIT 1;
                """;
            cmd.Parameters.AddWithValue("$study", study);
            cmd.Parameters.AddWithValue("$name", name);
            cmd.Parameters.AddWithValue("$config", config);
            return ReadRuns(cmd).FirstOrDefault();
        }
    }

    /// <summary>Metric values of a run (optionally one metric), ordered by name then step.</summary>
    public IReadOnlyList<MetricPoint> GetMetrics(long run, string? name = null)
    {
        lock (gate)
        {
            using var cmd = connection.CreateCommand();
            cmd.CommandText = name is null
                ? "SELECT step, name, value FROM metrics WHERE run = $run ORDER BY name, step;"
                : "SELECT step, name, value FROM metrics WHERE run = $run AND name = $name ORDER BY step;";
            cmd.Parameters.AddWithValue("$run", run);
            if (name is not null) cmd.Parameters.AddWithValue("$name", name);
            using var r = cmd.ExecuteReader();
            var result = new List<MetricPoint>();
            while (r.Read())
                result.Add(new MetricPoint(r.GetInt64(0), r.GetString(1), r.IsDBNull(2) ? double.NaN : r.GetDouble(2)));
            return result;
        }
    }

    /// <summary>Artifacts of a run in the order they were added.</summary>
    public IReadOnlyList<ArtifactRecord> GetArtifacts(long run)
    {
        lock (gate)
        {
            using var cmd = connection.CreateCommand();
            cmd.CommandText = "SELECT id, run, kind, path, sha256 FROM artifacts WHERE run = $run ORDER BY id;";
            cmd.Parameters.AddWithValue("$run", run);
            using var r = cmd.ExecuteReader();
            var result = new List<ArtifactRecord>();
            while (r.Read())
                result.Add(new ArtifactRecord(r.GetInt64(0), r.GetInt64(1), r.GetString(2), r.GetString(3), r.GetString(4)));
            return result;
        }
    }

    /// <summary>Closes the connection.</summary>
    public void Dispose()
    {
        lock (gate) connection.Dispose();
    }

    const string RunColumns =
        "id, study, name, config, seed, data_fingerprint, code_version, status, started, ended, message";

    RunRecord? GetRunLocked(long id)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = $"SELECT {RunColumns} FROM runs WHERE id = $id;";
        cmd.Parameters.AddWithValue("$id", id);
        return ReadRuns(cmd).FirstOrDefault();
    }

    List<RunRecord> ReadRuns(SqliteCommand cmd)
    {
        using var r = cmd.ExecuteReader();
        var result = new List<RunRecord>();
        while (r.Read())
        {
            result.Add(new RunRecord(
                Id: r.GetInt64(0),
                Study: r.GetString(1),
                Name: r.GetString(2),
                ConfigJson: r.GetString(3),
                Seed: r.GetInt64(4),
                DataFingerprint: r.IsDBNull(5) ? null : r.GetString(5),
                CodeVersion: r.IsDBNull(6) ? null : r.GetString(6),
                Status: ParseStatus(r.GetString(7)),
                Started: ParseTimestamp(r.GetString(8)),
                Ended: r.IsDBNull(9) ? null : ParseTimestamp(r.GetString(9)),
                Message: r.IsDBNull(10) ? null : r.GetString(10)));
        }
        return result;
    }

    static bool IsMissingRun(SqliteException e) =>
        e.SqliteErrorCode == SqliteConstraint && e.SqliteExtendedErrorCode == SqliteConstraintForeignKey;

    static string StatusText(RunStatus s) => s.ToString().ToLowerInvariant();

    RunStatus ParseStatus(string s) => s switch
    {
        "running" => RunStatus.Running,
        "finished" => RunStatus.Finished,
        "failed" => RunStatus.Failed,
        "stopped" => RunStatus.Stopped,
        _ => throw new InvalidDataException($"Run store '{Path}' holds an unknown run status '{s}'."),
    };

    static string Timestamp(DateTimeOffset t) => t.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);

    static DateTimeOffset ParseTimestamp(string s) =>
        DateTimeOffset.Parse(s, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);

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
