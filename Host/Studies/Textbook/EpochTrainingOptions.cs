using InitLab.Data;

namespace InitLab.Studies;

/// <summary>
/// How <see cref="EpochTraining"/> trains: the textbook's loop of mini-batch steps with an evaluation of
/// the whole training and test sets after every epoch (and once before the first step).
/// </summary>
public sealed record EpochTrainingOptions
{
    /// <summary>Mini-batch steps in all.</summary>
    public int Iterations { get; init; } = 10_000;

    /// <summary>Images per mini-batch (the book: 100).</summary>
    public int BatchSize { get; init; } = 100;

    /// <summary>Steps between evaluations; 0 means the book's max(train size / batch size, 1).</summary>
    public int IterationsPerEpoch { get; init; }

    /// <summary>Seed of the per-epoch shuffle.</summary>
    public int DataSeed { get; init; } = 1;

    /// <summary>Kernel worker threads (results are bit-identical for a given count).</summary>
    public int Threads { get; init; } = Math.Min(2, Environment.ProcessorCount);

    /// <summary>Byte → float scale (the book normalises by 255).</summary>
    public PixelScale Scale { get; init; } = PixelScale.Unit255;

    /// <summary>Training-set metrics are taken on its first this many images; 0 means all of it.</summary>
    public int TrainEvaluationCount { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first impossible option.</summary>
    public void Validate()
    {
        if (Iterations < 1) throw new ArgumentException($"iterations must be ≥ 1, got {Iterations}", nameof(Iterations));
        if (BatchSize < 1) throw new ArgumentException($"batch size must be ≥ 1, got {BatchSize}", nameof(BatchSize));
        if (IterationsPerEpoch < 0) throw new ArgumentException($"iterations per epoch must be ≥ 0, got {IterationsPerEpoch}", nameof(IterationsPerEpoch));
        if (TrainEvaluationCount < 0) throw new ArgumentException($"train evaluation count must be ≥ 0, got {TrainEvaluationCount}", nameof(TrainEvaluationCount));
        if (Threads is < 1 or > 256) throw new ArgumentException($"threads must be in 1..256, got {Threads}", nameof(Threads));
    }
}
