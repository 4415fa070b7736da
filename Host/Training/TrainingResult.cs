namespace InitLab.Training;

/// <summary>What a training run produced.</summary>
/// <param name="Losses">Training loss of every iteration, in order (index i = iteration i+1).</param>
/// <param name="LearningRates">Base learning rate used at every iteration.</param>
/// <param name="Evaluations">Test-set evaluations, in order.</param>
/// <param name="ResumedFrom">Iteration the run continued from (0 for a fresh start).</param>
/// <param name="Seconds">Wall time of this process's part of the training, evaluations included.</param>
/// <param name="ImagesPerSecond">Training throughput of this process's part (over <paramref name="Seconds"/>).</param>
public sealed record TrainingResult(
    IReadOnlyList<double> Losses,
    IReadOnlyList<double> LearningRates,
    IReadOnlyList<Evaluation> Evaluations,
    int ResumedFrom,
    double Seconds,
    double ImagesPerSecond)
{
    /// <summary>Evaluations on the training probe (when one was given), at the same iterations as <see cref="Evaluations"/>.</summary>
    public IReadOnlyList<Evaluation> TrainEvaluations { get; init; } = [];

    /// <summary>Wall time of the evaluations, part of <see cref="Seconds"/>.</summary>
    public double EvaluationSeconds { get; init; }

    /// <summary>Why the <see cref="TrainingOptions.StopRule"/> ended training early, or null when it ran to the cap.</summary>
    public string? StopReason { get; init; }

    /// <summary>The differences of the run config from the checkpoint resumed (allowed), e.g. "lr 0.01 → 0.1"; null when none.</summary>
    public string? ConfigChange { get; init; }

    /// <summary>
    /// Every epoch of the run, those before a resume included (from the checkpoint): mean loss, training time and
    /// the evaluations taken at its end; the last one is partial when the run ended mid-epoch.
    /// </summary>
    public IReadOnlyList<TrainingEpoch> Epochs { get; init; } = [];

    /// <summary>The last evaluation, if any.</summary>
    public Evaluation? Final => Evaluations.Count > 0 ? Evaluations[^1] : null;
}
