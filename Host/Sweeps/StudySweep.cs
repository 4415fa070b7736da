namespace InitLab.Sweeps;

/// <summary>
/// What a study script shares with every other for <c>--workers N</c>, <c>--slurm</c> and <c>--report-only</c>:
/// it declares a batch of arms as <see cref="SweepArm"/>s (of its own <see cref="ISweepTaskKind"/>, whose worker
/// trains the arm into the store exactly as the script would) and calls <see cref="Ensure"/> before it reads them.
/// Once a batch is done, the script's own train-or-reuse call finds every arm finished in the store, so the
/// report is built from the store, after a local pool or a cluster run alike.
/// <code>
/// var sweep = new StudySweep("lenet-init-sweep", outDir, store, new StudySweepOptions(Workers: 2, ThreadsPerTask: 1));
/// if (!sweep.Ensure(arms)) return; // submitted to Slurm: rerun when it is done
/// </code>
/// </summary>
public sealed class StudySweep
{
    readonly string outDir;
    readonly string store;
    readonly HashSet<string> ensured = new(StringComparer.Ordinal);

    /// <summary>The sweep of study <paramref name="study"/> (the tasks' study in the store).</summary>
    /// <param name="study">Study name of the sweep tasks' runs (not the arms' own results).</param>
    /// <param name="outDir">The study's output folder; manifests go to <c>outDir/sweep</c>.</param>
    /// <param name="store">The run store both the workers and the script use (a SQLite path, or a PostgreSQL connection string without password).</param>
    /// <param name="options">The script's flags.</param>
    public StudySweep(string study, string outDir, string store, StudySweepOptions options)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(study);
        ArgumentException.ThrowIfNullOrWhiteSpace(outDir);
        ArgumentException.ThrowIfNullOrWhiteSpace(store);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Workers < 0) throw new ArgumentException($"--workers must be ≥ 0, got {options.Workers}");
        if (options.ThreadsPerTask < 0) throw new ArgumentException($"--threads must be ≥ 0, got {options.ThreadsPerTask}");
        Study = study;
        Options = options;
        this.outDir = outDir;
        this.store = store;
    }

    /// <summary>Study name of the sweep tasks.</summary>
    public string Study { get; }

    /// <summary>The script's flags.</summary>
    public StudySweepOptions Options { get; }

    /// <summary>True when any sweep flag was given.</summary>
    public bool Active => Options.Active;

    /// <summary>True when arm <paramref name="name"/> was in a batch this instance has seen done.</summary>
    public bool IsEnsured(string name) => ensured.Contains(name);

    /// <summary>The sweep of this study holding <paramref name="arms"/>, in order (what <see cref="Ensure"/> plans).</summary>
    public Sweep SweepOf(IEnumerable<SweepArm> arms)
    {
        ArgumentNullException.ThrowIfNull(arms);
        var sweep = new Sweep(Study);
        foreach (var a in arms) sweep.Arm(a.Name, a.Config, a.Seeds);
        return sweep;
    }

    /// <summary>
    /// Makes sure every arm of <paramref name="arms"/> has a finished task in the store: unless all were seen done,
    /// the batch is planned into <c>outDir/sweep/arms-HASH.json</c> (HASH of the arm names) and its unfinished
    /// tasks are run on the local pool, or checked (--report-only), or submitted to Slurm. Inactive: returns true at once.
    /// </summary>
    /// <returns>False when a Slurm job was submitted and the script should stop until it is done; else true.</returns>
    /// <exception cref="InvalidOperationException">--report-only and a task is not done, or tasks failed on the pool (the message names them).</exception>
    public bool Ensure(IReadOnlyList<SweepArm> arms)
    {
        ArgumentNullException.ThrowIfNull(arms);
        if (!Active || arms.All(a => ensured.Contains(a.Name))) return true;
        var name = ConfigHash.Sha256(string.Join("\n", arms.Select(a => a.Name)))[..12];
        var manifest = SweepOf(arms).Plan(Path.Combine(outDir, "sweep", $"arms-{name}.json"));
        var pending = Sweep.Status(manifest, store).Where(r => r.State != TaskState.Done).ToList();
        if (pending.Count > 0)
        {
            if (Options.ReportOnly)
                throw new InvalidOperationException($"--report-only: {pending.Count} of {manifest.Tasks.Count} arm(s) of {manifest.Path} are not done in {store} "
                    + $"(e.g. {string.Join(", ", pending.Take(3).Select(p => $"{p.Task.Arm} {p.State.ToString().ToLowerInvariant()}"))})");
            if (Options.Slurm)
            {
                var job = Sweep.SubmitSlurm(manifest, new SlurmOptions(store, ThreadsPerTask: Math.Max(1, Options.ThreadsPerTask), DataRoot: Options.DataRoot));
                Console.WriteLine($"{Study}: submitted Slurm job {job} ({pending.Count} arm(s) of {manifest.Path}); rerun this command when it is done");
                return false;
            }
            var outcomes = Sweep.RunLocal(manifest, store, Options.Workers, Options.ThreadsPerTask, Options.DataRoot);
            var failed = outcomes.Where(o => !o.Ok).ToList();
            if (failed.Count > 0)
                throw new InvalidOperationException($"{failed.Count} arm(s) of {manifest.Path} failed: {failed[0].Message}");
        }
        foreach (var a in arms) ensured.Add(a.Name);
        return true;
    }
}
