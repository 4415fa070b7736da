using InitLab.Data;

namespace InitLab.Training;

/// <summary>
/// The run-time half of a Caffe solver: how long to train, on what batches, when to evaluate and
/// checkpoint. The update rule and learning-rate policy are given by an optimiser spec string
/// (see <see cref="Trainer"/>).
/// </summary>
public sealed record TrainingOptions
{
    /// <summary>Training iterations (mini-batch steps).</summary>
    public int Iterations { get; init; } = 1000;

    /// <summary>Images per mini-batch.</summary>
    public int BatchSize { get; init; } = 64;

    /// <summary>Shuffle the training set each epoch (Caffe reads its LMDB in order: set false to match it).</summary>
    public bool Shuffle { get; init; } = true;

    /// <summary>Seed of the per-epoch data shuffle.</summary>
    public int DataSeed { get; init; } = 1;

    /// <summary>Worker threads of the kernel (results are bit-identical for a given count).</summary>
    public int Threads { get; init; } = Math.Min(2, Environment.ProcessorCount);

    /// <summary>Byte → float scale of the images (Caffe's LeNet uses 1/256).</summary>
    public PixelScale Scale { get; init; } = PixelScale.Caffe256;

    /// <summary>Evaluate every this many iterations (0: only at the end).</summary>
    public int TestInterval { get; init; }

    /// <summary>Evaluate once per epoch (every <see cref="Batches.CountPerEpoch"/> iterations) instead of every <see cref="TestInterval"/>.</summary>
    public bool EvaluateEveryEpoch { get; init; }

    /// <summary>
    /// At most this many batches make an epoch (0: all of the training set): the rest of each epoch's shuffled
    /// order is left out, so short runs (a study's --quick) keep the schedule of epochs, per-epoch evaluation included.
    /// </summary>
    public int MaxBatchesPerEpoch { get; init; }

    /// <summary>Evaluate also before the first step (iteration 0), as the textbook's curves start.</summary>
    public bool EvaluateAtStart { get; init; }

    /// <summary>Ends training before <see cref="Iterations"/> (the cap) when it says so; null trains to the cap.</summary>
    public StopRule? StopRule { get; init; }

    /// <summary>Batch size of evaluation passes.</summary>
    public int TestBatchSize { get; init; } = 500;

    /// <summary>Write a checkpoint every this many iterations (0: only at the end, when a path is given).</summary>
    public int CheckpointInterval { get; init; }

    /// <summary>Checkpoint file (safetensors). When it exists and <see cref="Resume"/> is set, training continues from it.</summary>
    public string? CheckpointPath { get; init; }

    /// <summary>Continue from <see cref="CheckpointPath"/> when it exists.</summary>
    public bool Resume { get; init; } = true;

    /// <summary>When a finite loss counts as diverged (see <see cref="DivergenceRule"/>); null: only NaN/Inf stop a run.</summary>
    public DivergenceRule? Divergence { get; init; } = DivergenceRule.Default;

    /// <summary>
    /// The run's config as written into each checkpoint (the options that decide the weights, minus the
    /// iteration cap); a resume from a checkpoint written under another config is refused, naming the
    /// difference, unless <see cref="AllowConfigChange"/>. Null: not recorded, not checked.
    /// </summary>
    public IReadOnlyDictionary<string, string>? RunConfig { get; init; }

    /// <summary>Resume even when the checkpoint's run config differs (the change is logged as a metric and returned).</summary>
    public bool AllowConfigChange { get; init; }

    /// <summary>Progress display.</summary>
    public ProgressMode Progress { get; init; } = ProgressMode.Auto;

    /// <summary>Label shown by the progress display.</summary>
    public string Label { get; init; } = "train";

    /// <summary>Batches per epoch on a training set of <paramref name="count"/> examples: all of them, or <see cref="MaxBatchesPerEpoch"/> when fewer.</summary>
    public int BatchesPerEpoch(int count)
    {
        int all = Batches.CountPerEpoch(count, new BatchOptions(BatchSize));
        return MaxBatchesPerEpoch > 0 ? Math.Min(all, MaxBatchesPerEpoch) : all;
    }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first impossible option.</summary>
    public void Validate()
    {
        if (Iterations < 1) throw new ArgumentException($"iterations must be ≥ 1, got {Iterations}", nameof(Iterations));
        if (BatchSize < 1) throw new ArgumentException($"batch size must be ≥ 1, got {BatchSize}", nameof(BatchSize));
        if (Threads < 1 || Threads > 256) throw new ArgumentException($"threads must be in 1..256, got {Threads}", nameof(Threads));
        if (TestInterval < 0) throw new ArgumentException($"test interval must be ≥ 0, got {TestInterval}", nameof(TestInterval));
        if (MaxBatchesPerEpoch < 0) throw new ArgumentException($"max batches per epoch must be ≥ 0, got {MaxBatchesPerEpoch}", nameof(MaxBatchesPerEpoch));
        if (TestBatchSize < 1) throw new ArgumentException($"test batch size must be ≥ 1, got {TestBatchSize}", nameof(TestBatchSize));
        Divergence?.Validate();
        if (CheckpointInterval < 0) throw new ArgumentException($"checkpoint interval must be ≥ 0, got {CheckpointInterval}", nameof(CheckpointInterval));
    }
}
