using InitLab.Training;

namespace InitLab.Studies;

/// <summary>
/// When the training error (1 − accuracy on the training subset, measured after every epoch) has converged,
/// and how long to go on after it. Converged at the first epoch e ≥ <see cref="Window"/> where the training
/// errors of epochs e − Window + 1 … e lie within <see cref="Tolerance"/> of each other (max − min), or where
/// the error has reached 0. Training then runs <see cref="AfterEpochs"/> more epochs, evaluating the test set
/// after each; a run's score is the Q3 of those test accuracies. <see cref="MaxEpochs"/> caps the run: if
/// the error never settles, the last <see cref="AfterEpochs"/> evaluations are scored and the run is
/// flagged as not converged.
/// </summary>
public sealed record ConvergenceRule(int Window = 3, double Tolerance = 0.005, int AfterEpochs = 5, int MaxEpochs = 60)
{
    /// <summary>Refuses impossible settings, naming them.</summary>
    public void Validate()
    {
        if (Window < 2) throw new ArgumentOutOfRangeException(nameof(Window), Window, "the convergence window needs at least 2 epochs");
        if (!(Tolerance >= 0 && Tolerance < 1)) throw new ArgumentOutOfRangeException(nameof(Tolerance), Tolerance, "the tolerance must lie in [0, 1)");
        if (AfterEpochs < 1) throw new ArgumentOutOfRangeException(nameof(AfterEpochs), AfterEpochs, "at least one evaluation after convergence");
        if (MaxEpochs < AfterEpochs) throw new ArgumentOutOfRangeException(nameof(MaxEpochs), MaxEpochs, $"the cap must allow the {AfterEpochs} epochs after convergence");
    }

    /// <summary>The 1-based epoch at which <paramref name="trainErrors"/> (one per epoch, epoch 1 first) converged, or null.</summary>
    public int? ConvergedAt(IReadOnlyList<double> trainErrors)
    {
        ArgumentNullException.ThrowIfNull(trainErrors);
        for (int e = 1; e <= trainErrors.Count; e++)
        {
            if (trainErrors[e - 1] <= 0) return e;
            if (e < Window) continue;
            double lo = double.MaxValue, hi = double.MinValue;
            for (int j = e - Window; j < e; j++) { lo = Math.Min(lo, trainErrors[j]); hi = Math.Max(hi, trainErrors[j]); }
            if (hi - lo <= Tolerance) return e;
        }
        return null;
    }

    /// <summary>Whether a run with these per-epoch training errors is done (converged and past the after-epochs, or capped).</summary>
    public bool IsDone(IReadOnlyList<double> trainErrors) =>
        trainErrors.Count >= MaxEpochs || (ConvergedAt(trainErrors) is int c && trainErrors.Count >= c + AfterEpochs);

    /// <summary>The per-epoch training errors (1 − accuracy) of a trainer's evaluations of its training probe.</summary>
    public static IReadOnlyList<double> TrainErrors(IReadOnlyList<Evaluation> trainEvaluations) =>
        [.. trainEvaluations.Select(e => 1 - e.Accuracy)];

    /// <summary>
    /// This rule as the trainer's stop rule, for a trainer that evaluates its training probe once per epoch
    /// (<see cref="TrainingOptions.EvaluateEveryEpoch"/>). Between epochs the errors do not change, so the
    /// answer stays the one given at the last epoch's end (go on); the cap is the trainer's iteration count.
    /// </summary>
    public StopRule AsStopRule() => StopRule.When(c =>
    {
        var errors = TrainErrors(c.TrainEvaluations);
        if (errors.Count == 0 || !IsDone(errors)) return null;
        return ConvergedAt(errors) is int e
            ? $"training error converged at epoch {e} and {errors.Count - e} more epochs were scored"
            : $"the cap of {MaxEpochs} epochs";
    });
}
