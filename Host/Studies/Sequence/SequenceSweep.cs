using InitLab.Sweeps;

namespace InitLab.Studies.Sequence;

/// <summary>
/// The sweep hook of paper 003's study (scripts/exp_sequence.fsx): its seeds as tasks of kind
/// <see cref="SequenceSeedTaskKind"/> through the shared <see cref="StudySweep"/> (<c>--workers N</c>, <c>--slurm</c>,
/// <c>--report-only</c>). The seeds are independent, so they form one batch. Afterwards the script reads every
/// network back from the store (<see cref="SequenceRuns.ReuseOnly"/>) and builds its report.
/// </summary>
public sealed class SequenceSweep
{
    /// <summary>Study name of the seed tasks in the store (the networks' runs stay under <see cref="SequenceSeed.Study"/>).</summary>
    public const string Study = "paper003-sequence-sweep";

    readonly StudySweep sweep;
    readonly SequenceStudyOptions options;
    readonly bool synthetic;

    /// <summary>
    /// A hook for <paramref name="options"/> (threads excepted: workers get theirs), its manifests under
    /// <paramref name="outDir"/>/sweep and its runs in <paramref name="store"/>; <paramref name="synthetic"/>: workers train on synthetic digits.
    /// </summary>
    public SequenceSweep(string outDir, string store, StudySweepOptions sweepOptions, SequenceStudyOptions options, bool synthetic)
    {
        ArgumentNullException.ThrowIfNull(sweepOptions);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        sweep = new StudySweep(Study, outDir, store, sweepOptions with { ThreadsPerTask = options.Threads });
        this.options = options;
        this.synthetic = synthetic;
    }

    /// <summary>True when any of --workers, --slurm, --report-only was given.</summary>
    public bool Active => sweep.Active;

    /// <summary>The arms of <paramref name="seeds"/>, one per seed.</summary>
    public IReadOnlyList<SweepArm> Arms(IEnumerable<int> seeds) =>
        [.. seeds.Select(s => new SweepArm($"seed{s}", SequenceSeedTaskKind.Config(s, options, synthetic), [s]))];

    /// <summary>The sweep of <paramref name="seeds"/>.</summary>
    public Sweep SweepOf(IEnumerable<int> seeds) => sweep.SweepOf(Arms(seeds));

    /// <summary>Has every seed trained (pool), checked (report-only) or submitted (Slurm: returns false, stop until it is done).</summary>
    /// <exception cref="InvalidOperationException">Report-only and a seed is not done, or seeds failed on the pool.</exception>
    public bool Ensure(IEnumerable<int> seeds) => sweep.Ensure(Arms(seeds));
}
