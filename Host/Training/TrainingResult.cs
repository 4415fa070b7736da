namespace InitLab.Training;

/// <summary>What a training run produced.</summary>
/// <param name="Losses">Training loss of every iteration, in order (index i = iteration i+1).</param>
/// <param name="LearningRates">Base learning rate used at every iteration.</param>
/// <param name="Evaluations">Test-set evaluations, in order.</param>
/// <param name="ResumedFrom">Iteration the run continued from (0 for a fresh start).</param>
/// <param name="Seconds">Wall time of this process's part of the training.</param>
/// <param name="ImagesPerSecond">Training throughput of this process's part.</param>
public sealed record TrainingResult(
    IReadOnlyList<double> Losses,
    IReadOnlyList<double> LearningRates,
    IReadOnlyList<Evaluation> Evaluations,
    int ResumedFrom,
    double Seconds,
    double ImagesPerSecond)
{
    /// <summary>The last evaluation, if any.</summary>
    public Evaluation? Final => Evaluations.Count > 0 ? Evaluations[^1] : null;
}
