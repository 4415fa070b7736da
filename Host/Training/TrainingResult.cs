namespace InitLab.Training;

/// <summary>One evaluation of a model on a data set.</summary>
/// <param name="Iteration">Training iterations completed when it was taken.</param>
/// <param name="Loss">Mean cross-entropy.</param>
/// <param name="Accuracy">Fraction of images classified correctly.</param>
/// <param name="Count">Images evaluated.</param>
public sealed record Evaluation(int Iteration, double Loss, double Accuracy, int Count);

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

/// <summary>
/// Training stopped because the loss became NaN or infinite. The last good checkpoint (if any) is
/// untouched; <see cref="Iteration"/> says where it happened.
/// </summary>
public sealed class NonFiniteLossException : Exception
{
    /// <summary>The 1-based iteration whose loss was not finite.</summary>
    public int Iteration { get; }

    /// <summary>The offending loss value.</summary>
    public double Loss { get; }

    /// <summary>Creates the exception.</summary>
    public NonFiniteLossException(int iteration, double loss, string? checkpoint)
        : base($"training stopped at iteration {iteration}: the loss is {loss} (not finite); "
               + (checkpoint is null ? "no checkpoint was configured" : $"the last good checkpoint is kept at {checkpoint}")
               + ". Lower the learning rate or check the data.")
    {
        Iteration = iteration;
        Loss = loss;
    }
}
