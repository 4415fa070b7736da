using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace InitLab.Sweeps;

/// <summary>A sweep as a Slurm job array: task i of the array runs manifest task i (SLURM_ARRAY_TASK_ID → --task-index).</summary>
public static class SlurmSubmission
{
    /// <summary>The sbatch script for <paramref name="manifest"/>.</summary>
    public static string Script(SweepManifest manifest, SlurmOptions o)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(o);
        if (o.MaxParallel < 0) throw new ArgumentException($"--max-parallel must be ≥ 0, got {o.MaxParallel}");
        if (o.ThreadsPerTask < 1) throw new ArgumentException($"--threads must be ≥ 1, got {o.ThreadsPerTask}");
        var worker = o.Worker ?? WorkerCommand.Default();
        var logs = Path.Combine(manifest.WorkDirectory, "slurm");
        var s = new StringBuilder();
        s.AppendLine("#!/bin/bash");
        s.AppendLine(CultureInfo.InvariantCulture, $"#SBATCH --job-name=initlab-{Safe(manifest.Study)}");
        s.AppendLine(CultureInfo.InvariantCulture, $"#SBATCH --array=0-{manifest.Tasks.Count - 1}{(o.MaxParallel > 0 ? $"%{o.MaxParallel}" : "")}");
        s.AppendLine(CultureInfo.InvariantCulture, $"#SBATCH --cpus-per-task={o.ThreadsPerTask}");
        s.AppendLine(CultureInfo.InvariantCulture, $"#SBATCH --output={Path.Combine(logs, "%A_%a.out")}");
        if (o.Partition is not null) s.AppendLine(CultureInfo.InvariantCulture, $"#SBATCH --partition={o.Partition}");
        if (o.Time is not null) s.AppendLine(CultureInfo.InvariantCulture, $"#SBATCH --time={o.Time}");
        if (o.Memory is not null) s.AppendLine(CultureInfo.InvariantCulture, $"#SBATCH --mem={o.Memory}");
        if (o.Account is not null) s.AppendLine(CultureInfo.InvariantCulture, $"#SBATCH --account={o.Account}");
        s.AppendLine(CultureInfo.InvariantCulture, $"# manifest {manifest.Path} (hash {manifest.Hash}), {manifest.Tasks.Count} task(s)");
        s.AppendLine("set -euo pipefail");
        var args = LocalPool.WorkerArguments(manifest, "__INDEX__", o.ThreadsPerTask, o.Store, o.DataRoot);
        s.AppendLine("exec " + worker.ShellWords(args).Replace("__INDEX__", "\"$SLURM_ARRAY_TASK_ID\"", StringComparison.Ordinal));
        return s.ToString();
    }

    /// <summary>Writes the script into the sweep's work folder and returns its path.</summary>
    public static string WriteScript(SweepManifest manifest, SlurmOptions o)
    {
        var path = Path.Combine(manifest.WorkDirectory, "sweep.sbatch");
        Directory.CreateDirectory(Path.Combine(manifest.WorkDirectory, "slurm"));
        File.WriteAllText(path, Script(manifest, o));
        return path;
    }

    /// <summary>Submits the script with <c>sbatch --parsable</c>; returns the job id and records it in the work folder.</summary>
    /// <exception cref="SchedulerUnavailableException">sbatch is missing or refused the job (the script is kept).</exception>
    public static string Submit(SweepManifest manifest, string scriptPath, string sbatch = "sbatch")
    {
        var (code, stdout, stderr) = Run(sbatch, ["--parsable", scriptPath], $"the script is kept at {scriptPath}; submit it yourself");
        if (code != 0)
            throw new SchedulerUnavailableException(sbatch, $"refused {scriptPath} (exit {code}): {stderr.Trim()}");
        var job = stdout.Trim().Split(';')[0];
        File.WriteAllText(JobFile(manifest), job + "\n");
        return job;
    }

    /// <summary>File holding the id of the last submitted job.</summary>
    public static string JobFile(SweepManifest manifest) => Path.Combine(manifest.WorkDirectory, "slurm-job");

    /// <summary>Runs a scheduler command; a missing program becomes <see cref="SchedulerUnavailableException"/>.</summary>
    internal static (int Code, string Out, string Err) Run(string program, IEnumerable<string> args, string advice)
    {
        var psi = new ProcessStartInfo(program) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        Process p;
        try
        {
            p = Process.Start(psi) ?? throw new SchedulerUnavailableException(program, "could not be started; " + advice);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new SchedulerUnavailableException(program, $"not found on PATH (is Slurm installed here?); {advice}", e);
        }
        using (p)
        {
            var o = p.StandardOutput.ReadToEndAsync();
            var e = p.StandardError.ReadToEndAsync();
            if (!p.WaitForExit(60_000))
            {
                p.Kill(true);
                throw new SchedulerUnavailableException(program, "did not answer within 60 s; " + advice);
            }
            p.WaitForExit();
            return (p.ExitCode, o.Result, e.Result);
        }
    }

    static string Safe(string s) => string.Concat(s.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_'));
}
