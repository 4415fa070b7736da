namespace InitLab.Sweeps;

/// <summary>One task a study hands to <see cref="StudySweep"/>: its run name (unique in the study) and its full config, seed included.</summary>
/// <param name="Key">Arm name of the task, e.g. "mnist-r1-msra-seed3" or "seed3".</param>
/// <param name="Config">The task's config (its <see cref="TaskConfig.Kind"/> names the study's task kind).</param>
public sealed record StudyTask(string Key, TaskConfig Config);

/// <summary>How a study script runs its tasks through the sweep engine (its <c>--workers N</c>, <c>--slurm</c>, <c>--report-only</c>).</summary>
/// <param name="OutDir">The study's output folder (manifests go to <c>OutDir/sweep</c>).</param>
/// <param name="Store">The run store the tasks and the script share (a SQLite path, or a PostgreSQL connection string without password).</param>
/// <param name="Workers">Local worker processes (0: no local pool).</param>
/// <param name="Slurm">Submit each batch as a Slurm job array and stop; rerun the script when it is done.</param>
/// <param name="ReportOnly">Train nothing: every batch must already be done in the store.</param>
/// <param name="DataRoot">Data root for the workers, if any.</param>
/// <param name="ThreadsPerTask">Kernel threads of each Slurm array task (local workers get cores ÷ workers).</param>
/// <param name="Label">Who speaks in messages, e.g. "exp_init".</param>
public sealed record StudySweepOptions(string OutDir, string Store, int Workers = 0, bool Slurm = false, bool ReportOnly = false,
    string? DataRoot = null, int ThreadsPerTask = 1, string Label = "study")
{
    /// <summary>True when any of --workers, --slurm, --report-only was given.</summary>
    public bool Active => Workers > 0 || Slurm || ReportOnly;
}

/// <summary>
/// The sweep hook every study script shares: a batch of the study's tasks is planned into a manifest (named by
/// its tasks, so a rerun finds the same file), then run on the local pool, submitted to Slurm, or only checked
/// (report-only); batches already seen in this process are not asked again. The script reads its results from
/// the store afterwards, so the same script builds its report after a cluster run.
/// </summary>
public sealed class StudySweep
{
    readonly HashSet<string> ensured = new(StringComparer.Ordinal);

    /// <summary>A hook for study <paramref name="study"/> (the tasks' study in the store).</summary>
    public StudySweep(string study, StudySweepOptions options)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(study);
        ArgumentNullException.ThrowIfNull(options);
        Study = study;
        Options = options;
    }

    /// <summary>Study name of the sweep tasks in the store.</summary>
    public string Study { get; }

    /// <summary>How the tasks run.</summary>
    public StudySweepOptions Options { get; }

    /// <summary>True when any of --workers, --slurm, --report-only was given.</summary>
    public bool Active => Options.Active;

    /// <summary>The sweep of <paramref name="batch"/>: one arm per task, with the task's seed as its one seed.</summary>
    public Sweep SweepOf(IEnumerable<StudyTask> batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var sweep = new Sweep(Study);
        foreach (var t in batch) sweep.Arm(t.Key, t.Config, [t.Config.Seed]);
        return sweep;
    }

    /// <summary>
    /// Makes sure every task of <paramref name="batch"/> has a finished run (nothing is done when the hook is not
    /// active or the batch was ensured before): plans it as <c>OutDir/sweep/{prefix}-{hash}.json</c>, then runs the
    /// pending tasks on the pool, checks them (report-only) or submits them to Slurm. Returns false when a Slurm job
    /// was submitted and the script should stop until it is done.
    /// </summary>
    /// <exception cref="InvalidOperationException">Report-only and a task is not done, or tasks failed on the pool (the message names them).</exception>
    public bool Ensure(IReadOnlyList<StudyTask> batch, string prefix = "tasks")
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (!Active || batch.All(t => ensured.Contains(t.Key))) return true;
        var o = Options;
        var name = ConfigHash.Sha256(string.Join("\n", batch.Select(t => t.Key)))[..12];
        var manifest = SweepOf(batch).Plan(Path.Combine(o.OutDir, "sweep", $"{prefix}-{name}.json"));
        var pending = Sweep.Status(manifest, o.Store).Where(r => r.State != TaskState.Done).ToList();
        if (pending.Count > 0)
        {
            if (o.ReportOnly)
                throw new InvalidOperationException($"--report-only: {pending.Count} of {manifest.Tasks.Count} task(s) of {manifest.Path} are not done in {o.Store} "
                    + $"(e.g. {string.Join(", ", pending.Take(3).Select(p => $"{p.Task.Arm} {p.State.ToString().ToLowerInvariant()}"))})");
            if (o.Slurm)
            {
                var job = Sweep.SubmitSlurm(manifest, new SlurmOptions(o.Store, ThreadsPerTask: o.ThreadsPerTask, DataRoot: o.DataRoot));
                Console.WriteLine($"{o.Label}: submitted Slurm job {job} ({pending.Count} task(s) of {manifest.Path}); rerun this command when it is done");
                return false;
            }
            var outcomes = Sweep.RunLocal(manifest, o.Store, o.Workers, 0, o.DataRoot);
            var failed = outcomes.Where(r => !r.Ok).ToList();
            if (failed.Count > 0)
                throw new InvalidOperationException($"{failed.Count} task(s) of {manifest.Path} failed: {failed[0].Message}");
        }
        foreach (var t in batch) ensured.Add(t.Key);
        return true;
    }
}
