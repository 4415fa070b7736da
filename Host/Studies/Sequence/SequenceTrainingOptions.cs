namespace InitLab.Studies.Sequence;

/// <summary>How one network of the sequence study is trained (the paper's Table 1: batch 128, 100 epochs, SGD lr 0.01).</summary>
/// <param name="Epochs">Passes over the training examples.</param>
/// <param name="BatchSize">Examples per SGD step.</param>
/// <param name="LearningRate">Plain SGD step size.</param>
/// <param name="DataSeed">Seed of each epoch's shuffle (the order of epoch e is fixed by (seed, e)).</param>
/// <param name="Threads">Kernel worker threads (results are bit-identical for a given count).</param>
public sealed record SequenceTrainingOptions(int Epochs, int BatchSize, double LearningRate, int DataSeed, int Threads)
{
    /// <summary>At most this many batches per epoch (0: the whole epoch); quick runs cut epochs short.</summary>
    public int MaxBatchesPerEpoch { get; init; }

    /// <summary>Where the end-of-epoch checkpoint goes; an existing one is resumed from. Null: no checkpoints.</summary>
    public string? CheckpointPath { get; init; }

    /// <summary>Throws when an option is impossible, naming it.</summary>
    public void Validate()
    {
        if (Epochs <= 0) throw new ArgumentException($"epochs must be positive, got {Epochs}");
        if (BatchSize <= 0) throw new ArgumentException($"batch size must be positive, got {BatchSize}");
        if (!(LearningRate > 0) || !double.IsFinite(LearningRate)) throw new ArgumentException($"learning rate must be positive and finite, got {LearningRate}");
        if (Threads <= 0) throw new ArgumentException($"threads must be positive, got {Threads}");
        if (MaxBatchesPerEpoch < 0) throw new ArgumentException($"max batches per epoch must be non-negative, got {MaxBatchesPerEpoch}");
    }
}

/// <summary>One finished epoch.</summary>
/// <param name="Epoch">1-based epoch number.</param>
/// <param name="TrainLoss">Mean training loss over the epoch's batches.</param>
/// <param name="ValidationAccuracy">Accuracy on the validation part (NaN when not measured).</param>
/// <param name="Seconds">Wall time of the epoch's training steps.</param>
public sealed record SequenceEpoch(int Epoch, double TrainLoss, double ValidationAccuracy, double Seconds);

/// <summary>What a call to <see cref="SequenceTraining.Train"/> did.</summary>
/// <param name="Epochs">Every epoch of the training, including those done before a resume.</param>
/// <param name="ResumedFrom">Epochs already done when this call started (0 for a fresh start).</param>
/// <param name="Seconds">Training wall time of this call.</param>
/// <param name="ExamplesPerSecond">Training throughput of this call.</param>
public sealed record SequenceTrainingResult(IReadOnlyList<SequenceEpoch> Epochs, int ResumedFrom, double Seconds, double ExamplesPerSecond);
