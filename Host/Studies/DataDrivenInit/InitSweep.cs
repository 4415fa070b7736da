using InitLab.Sweeps;

namespace InitLab.Studies;

/// <summary>
/// The sweep hook of the paper-001 study (scripts/exp_init.fsx): its arms as sweep tasks of kind
/// <see cref="InitArmTaskKind"/> through the shared <see cref="StudySweep"/> (local pool with <c>--workers N</c>,
/// Slurm with <c>--slurm</c>, only read back with <c>--report-only</c>). The study script keeps calling
/// <see cref="InitArmTraining.RunOrReuse"/>; once <see cref="Ensure"/> has had an arm's batch trained, that call
/// reuses the finished runs from the store, so a report can be built after a cluster run.
/// </summary>
/// <param name="outDir">The study's output folder (manifests go to <c>outDir/sweep</c>).</param>
/// <param name="store">The run store both the tasks and the script use (a SQLite path, or a PostgreSQL connection string without password).</param>
/// <param name="options">How arms train (threads excepted: workers get theirs).</param>
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

    readonly StudySweep sweep = new(Study, new StudySweepOptions(outDir, store, workers, slurm, reportOnly, dataRoot, options.Threads, "exp_init"));

    /// <summary>True when any of --workers, --slurm, --report-only was given.</summary>
    public bool Active => sweep.Active;

    /// <summary>The sweep of <paramref name="batch"/>: one task per arm (its seed is the task's seed).</summary>
    public Sweep SweepOf(IReadOnlyList<InitArm> batch) => sweep.SweepOf(Tasks(batch));

    /// <summary>
    /// Makes sure <paramref name="arm"/> has a finished run: when it has not been seen, the whole
    /// <paramref name="batch"/> is planned and run on the pool, or checked (--report-only), or submitted to
    /// Slurm. Returns false when a Slurm job was submitted and the script should stop until it is done.
    /// </summary>
    /// <exception cref="InvalidOperationException">--report-only and a task is not done, or tasks failed on the pool (the message names them).</exception>
    public bool Ensure(InitArm arm, IReadOnlyList<InitArm> batch) =>
        sweep.Ensure(Tasks(batch.Contains(arm) ? batch : [.. batch, arm]), "arms");

    List<StudyTask> Tasks(IEnumerable<InitArm> batch) =>
        [.. batch.Select(a => new StudyTask(a.Key, InitArmTaskKind.Config(a, options, synthetic)))];
}
