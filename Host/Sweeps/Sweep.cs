namespace InitLab.Sweeps;

/// <summary>
/// The API a study script calls: declare arms (name, config, seeds), plan them into a manifest file,
/// run it on a local pool or hand it to Slurm, and read the results back from the store.
/// <code>
/// var sweep = new Sweep("lenet-init").Arm("xavier", new TaskConfig { Init = "xavier" }, [1, 2, 3]);
/// var manifest = sweep.Plan("out/lenet/sweep.json");
/// Sweep.RunLocal(manifest, "out/lenet/runs.db", workers: 2);
/// var table = Sweep.Compare("out/lenet/runs.db", manifest.Study);
/// </code>
/// </summary>
public sealed class Sweep
{
    readonly List<SweepArm> arms = [];

    /// <summary>A sweep of <paramref name="study"/> with no arms yet.</summary>
    public Sweep(string study)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(study);
        Study = study;
    }

    /// <summary>Study name: the runs' study in the store.</summary>
    public string Study { get; }

    /// <summary>The arms declared so far.</summary>
    public IReadOnlyList<SweepArm> Arms => arms;

    /// <summary>Adds an arm trained once per seed; returns this sweep.</summary>
    public Sweep Arm(string name, TaskConfig config, IReadOnlyList<int> seeds)
    {
        arms.Add(new SweepArm(name, config, seeds));
        return this;
    }

    /// <summary>Expands the arms × seeds and writes the manifest to <paramref name="path"/>.</summary>
    public SweepManifest Plan(string path)
    {
        var manifest = SweepManifest.Plan(Study, arms);
        manifest.Save(path);
        return manifest;
    }

    /// <summary>Runs every unfinished task on <paramref name="workers"/> local worker processes.</summary>
    public static IReadOnlyList<TaskOutcome> RunLocal(SweepManifest manifest, string store, int workers, int threadsPerWorker = 0, string? dataRoot = null) =>
        LocalPool.Run(manifest, new LocalPoolOptions(workers, StoreArgument(store), threadsPerWorker, dataRoot));

    /// <summary>Writes the sbatch script and submits it; returns the Slurm job id.</summary>
    public static string SubmitSlurm(SweepManifest manifest, SlurmOptions options) =>
        SlurmSubmission.Submit(manifest, SlurmSubmission.WriteScript(manifest, options with { Store = StoreArgument(options.Store) }));

    /// <summary>Done / running / interrupted / failed / pending per task.</summary>
    public static IReadOnlyList<TaskStatusRow> Status(SweepManifest manifest, string store)
    {
        using var s = SweepStores.Open(store);
        return SweepStatus.Of(manifest, s, SlurmQueue.States(manifest));
    }

    /// <summary>Mean and 95 % interval of each metric's final value per arm, across its seeds.</summary>
    public static IReadOnlyList<Store.ComparisonRow> Compare(string store, string study, IReadOnlyCollection<string>? metrics = null)
    {
        using var s = SweepStores.Open(store);
        return Store.RunComparison.Compare(s, study, metrics);
    }

    /// <summary>A store path made absolute (workers may start elsewhere); connection strings unchanged.</summary>
    public static string StoreArgument(string store) =>
        SweepStores.IsConnectionString(store) ? store : Path.GetFullPath(store);
}
