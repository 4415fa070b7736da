using System.Globalization;

namespace InitLab.Sweeps;

/// <summary>What Slurm says of a sweep's array tasks (squeue for queued and running ones, sacct for the rest where accounting is on).</summary>
public static class SlurmQueue
{
    /// <summary>
    /// Scheduler state per task index of the last submitted job (empty when none was submitted, or
    /// Slurm is not here). Pending ranges such as <c>12_[4-7%2]</c> are expanded.
    /// </summary>
    public static IReadOnlyDictionary<int, string> States(SweepManifest manifest)
    {
        var result = new Dictionary<int, string>();
        var jobFile = SlurmSubmission.JobFile(manifest);
        if (!File.Exists(jobFile)) return result;
        var job = File.ReadAllText(jobFile).Trim();
        try
        {
            var (code, sacct, _) = SlurmSubmission.Run("sacct", ["-n", "-X", "-P", "-j", job, "-o", "JobID,State"], "");
            if (code == 0) Parse(sacct, '|', result, manifest.Tasks.Count);
        }
        catch (SchedulerUnavailableException) { }
        try
        {
            var (code, squeue, _) = SlurmSubmission.Run("squeue", ["-h", "-r", "-j", job, "-o", "%i %T"], "");
            if (code == 0) Parse(squeue, ' ', result, manifest.Tasks.Count);
        }
        catch (SchedulerUnavailableException) { }
        return result;
    }

    /// <summary>Reads "JOB_INDEX STATE" lines (JOB_[a-b%k] ranges expanded) into <paramref name="into"/>.</summary>
    public static void Parse(string text, char separator, Dictionary<int, string> into, int count)
    {
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = line.Split(separator, 2, StringSplitOptions.TrimEntries);
            if (parts.Length != 2) continue;
            var us = parts[0].IndexOf('_');
            if (us < 0) continue;
            var ids = parts[0][(us + 1)..].Trim('[', ']');
            var pct = ids.IndexOf('%');
            if (pct >= 0) ids = ids[..pct];
            foreach (var range in ids.Split(','))
            {
                var ab = range.Split('-');
                if (!int.TryParse(ab[0], NumberStyles.None, CultureInfo.InvariantCulture, out var a)) continue;
                var b = ab.Length > 1 && int.TryParse(ab[1], NumberStyles.None, CultureInfo.InvariantCulture, out var bb) ? bb : a;
                for (var i = a; i <= Math.Min(b, count - 1); i++) into[i] = parts[1].ToLowerInvariant();
            }
        }
    }
}
