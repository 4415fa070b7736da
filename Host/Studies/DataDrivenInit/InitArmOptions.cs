using InitLab.Data;

namespace InitLab.Studies;

/// <summary>How every arm of the paper-001 study trains: the paper's Adam at batch 128 until the training error converges.</summary>
public sealed record InitArmOptions
{
    /// <summary>The stop rule and the epochs scored after it.</summary>
    public ConvergenceRule Convergence { get; init; } = new();

    /// <summary>Mini-batch size (the paper: 128).</summary>
    public int BatchSize { get; init; } = 128;

    /// <summary>Optimiser spec (the paper: Adam; its rate is not given, so PyTorch's default 1e-3).</summary>
    public string Optimizer { get; init; } = "adam lr=0.001";

    /// <summary>Share of the training subset held out as the δ-search validation split, in %.</summary>
    public double ValidationPercent { get; init; } = 20;

    /// <summary>Worker threads for the kernel (results are bit-identical for a given count).</summary>
    public int Threads { get; init; } = Math.Min(2, Environment.ProcessorCount);

    /// <summary>Images of the evaluation set used per evaluation (0 = all; quick runs use fewer).</summary>
    public int EvaluationLimit { get; init; }

    /// <summary>Images of the training subset the per-epoch training error is measured on (0 = all; quick runs use fewer).</summary>
    public int TrainEvaluationLimit { get; init; }

    /// <summary>Pixel scale: bytes / 255.</summary>
    public PixelScale Scale { get; init; } = PixelScale.Unit255;

    /// <summary>Refuses impossible settings, naming them.</summary>
    public void Validate()
    {
        Convergence.Validate();
        if (BatchSize < 1) throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "must be ≥ 1");
        if (!(ValidationPercent > 0 && ValidationPercent < 100)) throw new ArgumentOutOfRangeException(nameof(ValidationPercent), ValidationPercent, "must lie in (0, 100)");
        if (Threads < 1) throw new ArgumentOutOfRangeException(nameof(Threads), Threads, "must be ≥ 1");
        if (TrainEvaluationLimit < 0) throw new ArgumentOutOfRangeException(nameof(TrainEvaluationLimit), TrainEvaluationLimit, "must be ≥ 0");
        if (EvaluationLimit < 0) throw new ArgumentOutOfRangeException(nameof(EvaluationLimit), EvaluationLimit, "must be ≥ 0");
    }
}

/// <summary>One epoch of an arm: training error on the subset and accuracy on the evaluation set (test, or validation for δ-search arms).</summary>
public sealed record EpochPoint(int Epoch, double TrainError, double EvaluationAccuracy);

/// <summary>What one arm produced.</summary>
/// <param name="Arm">The arm.</param>
/// <param name="Epochs">One point per epoch, epoch 1 first.</param>
/// <param name="ConvergedEpoch">Epoch at which the training error converged, or null if the cap came first.</param>
/// <param name="Score">Q3 of the evaluation accuracies after convergence (or of the last ones when capped).</param>
/// <param name="InitSeconds">Time to build and initialise the network (Algorithm 1 included).</param>
/// <param name="TrainSeconds">Time spent in training steps (evaluations excluded).</param>
/// <param name="TrainImages">Size of the training set the arm used.</param>
/// <param name="Reused">Taken from the run store instead of trained.</param>
/// <param name="Conv1Initial">conv1's weights after initialisation [20·c·7·7], for figures.</param>
/// <param name="Conv1Trained">conv1's weights after training.</param>
public sealed record InitArmResult(
    InitArm Arm, IReadOnlyList<EpochPoint> Epochs, int? ConvergedEpoch, double Score, double InitSeconds, double TrainSeconds,
    int TrainImages, bool Reused, float[] Conv1Initial, float[] Conv1Trained)
{
    /// <summary>Training images per second over the training steps.</summary>
    public double ImagesPerSecond => TrainSeconds > 0 ? (double)TrainImages * Epochs.Count / TrainSeconds : 0;
}
