using InitLab.Sweeps;

namespace InitLab.Studies;

/// <summary>
/// The sweep hook of the paper-001 study (scripts/exp_init.fsx): its arms as sweep tasks of kind
/// <see cref="InitArmTaskKind"/> on the shared <see cref="StudySweep"/>, run on a local pool (<c>--workers N</c>),
/// handed to Slurm (<c>--slurm</c>) or only read back (<c>--report-only</c>). The study script keeps calling
/// <see cref="InitArmTraining.RunOrReuse"/>; once <see cref="Ensure"/> has had an arm's batch trained, that call
/// reuses the finished runs from the store, so a report can be built after a cluster run.
/// </summary>
/// <param name="outDir">The study's output folder (manifests go to <c>outDir/sweep</c>).</param>
/// <param name="store">The run store both the tasks and the script use (a SQLite path, or a PostgreSQL connection string without password).</param>
/// <param name="options">How arms train (threads excepted: local workers get cores ÷ workers, Slurm tasks these).</param>
/// <param name="dataRoot">Data root for the workers, if any.</param>
/// <param name="synthetic">Workers train on synthetic digits (the script found no real data).</param>
/// <param name="workers">Local worker processes (0: no local pool).</param>
/// <param name="slurm">Submit each batch as a Slurm job array and stop; rerun the script when it is done.</param>
/// <param name="reportOnly">Train nothing: every batch must already be done in the store.</param>
public sealed class InitSweep(string outDir, string store, InitArmOptions options, string? dataRoot, bool synthetic,
    int workers = 0, bool slurm = false, bool reportOnly = false)
{
    /// <summary>Study name of the sweep tasks in the store (the arms' results stay under <see cref="InitArmTraining.Study"/>).</summary>
    public const string Study = "paper001-init-sweep";

    // threads are not part of an arm's identity, so local workers share the cores
    readonly StudySweep sweep = new(Study, outDir, store, new StudySweepOptions(workers, slurm, reportOnly, slurm ? options.Threads : 0, dataRoot));

    /// <summary>True when any of --workers, --slurm, --report-only was given.</summary>
    public bool Active => sweep.Active;

    /// <summary>The sweep of <paramref name="batch"/>: one task per arm (its seed is the task's seed).</summary>
    public Sweep SweepOf(IReadOnlyList<InitArm> batch) => sweep.SweepOf(Arms(batch));

    IEnumerable<SweepArm> Arms(IEnumerable<InitArm> batch) =>
        batch.Select(arm => new SweepArm(arm.Key, InitArmTaskKind.Config(arm, options, synthetic), [arm.Seed]));

    /// <summary>
    /// Makes sure <paramref name="arm"/> has a finished run: when it has not been seen, the whole
    /// <paramref name="batch"/> goes through <see cref="StudySweep.Ensure"/>. Returns false when a Slurm job was
    /// submitted and the script should stop until it is done.
    /// </summary>
    /// <exception cref="InvalidOperationException">--report-only and a task is not done, or tasks failed on the pool (the message names them).</exception>
    public bool Ensure(InitArm arm, IReadOnlyList<InitArm> batch)
    {
        if (!Active || sweep.IsEnsured(arm.Key)) return true;
        return sweep.Ensure([.. Arms(batch.Contains(arm) ? batch : [.. batch, arm])]);
    }
}
