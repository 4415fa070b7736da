using System.Data;
using System.Data.Common;
using System.Globalization;
using System.Security.Cryptography;

namespace InitLab.Store;

// Metrics and artifacts of runs (the run rows themselves are in RunStore.cs).
public abstract partial class RunStore
{
    /// <summary>Records one metric value; a second value for the same run, name and step replaces the first.</summary>
    public void LogMetric(long run, long step, string name, double value) =>
        LogMetrics(run, [new MetricPoint(step, name, value)]);

    /// <summary>Records many metric values in one transaction (all or none); counts as a heartbeat of the run.</summary>
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
            using var tx = connection.BeginTransaction();
            using var cmd = Command("""
                INSERT INTO metrics (run, step, name, value) VALUES (@run, @step, @name, @value)
                ON CONFLICT (run, name, step) DO UPDATE SET value = excluded.value;
                """, tx);
            var pRun = AddTyped(cmd, "@run", DbType.Int64);
            var pStep = AddTyped(cmd, "@step", DbType.Int64);
            var pName = AddTyped(cmd, "@name", DbType.String);
            var pValue = AddTyped(cmd, "@value", DbType.Double);
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
            catch (DbException e) when (IsForeignKeyViolation(e))
            {
                throw new ArgumentException($"Run {run} does not exist in store '{Path}'.", nameof(run), e);
            }
            Execute("UPDATE runs SET heartbeat = @now WHERE id = @id AND status = 'running' AND owner = @owner;", tx,
                ("@now", Now()), ("@id", run), ("@owner", owner));
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
            using var cmd = Command("INSERT INTO artifacts (run, kind, path, sha256) VALUES (@run, @kind, @path, @sha) RETURNING id;", null,
                ("@run", run), ("@kind", kind), ("@path", path), ("@sha", sha256));
            try
            {
                return new ArtifactRecord(Convert.ToInt64(cmd.ExecuteScalar(), CultureInfo.InvariantCulture), run, kind, path, sha256);
            }
            catch (DbException e) when (IsForeignKeyViolation(e))
            {
                throw new ArgumentException($"Run {run} does not exist in store '{Path}'.", nameof(run), e);
            }
        }
    }

    /// <summary>Metric values of a run (optionally one metric), ordered by name then step.</summary>
    public IReadOnlyList<MetricPoint> GetMetrics(long run, string? name = null)
    {
        lock (gate)
        {
            using var cmd = name is null
                ? Command("SELECT step, name, value FROM metrics WHERE run = @run ORDER BY name, step;", null, ("@run", run))
                : Command("SELECT step, name, value FROM metrics WHERE run = @run AND name = @name ORDER BY step;", null, ("@run", run), ("@name", name));
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
            using var cmd = Command("SELECT id, run, kind, path, sha256 FROM artifacts WHERE run = @run ORDER BY id;", null, ("@run", run));
            using var r = cmd.ExecuteReader();
            var result = new List<ArtifactRecord>();
            while (r.Read())
                result.Add(new ArtifactRecord(r.GetInt64(0), r.GetInt64(1), r.GetString(2), r.GetString(3), r.GetString(4)));
            return result;
        }
    }
}
