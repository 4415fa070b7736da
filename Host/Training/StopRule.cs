namespace InitLab.Training;

/// <summary>What a <see cref="StopRule"/> sees after each iteration.</summary>
/// <param name="Iteration">Iterations completed.</param>
/// <param name="Losses">Training loss of every iteration this run trained (a resumed run starts afresh).</param>
/// <param name="Evaluations">Test-set evaluations so far.</param>
/// <param name="TrainEvaluations">Evaluations on the training probe so far.</param>
public sealed record StopContext(int Iteration, IReadOnlyList<double> Losses, IReadOnlyList<Evaluation> Evaluations, IReadOnlyList<Evaluation> TrainEvaluations);

/// <summary>
/// Ends training before <see cref="TrainingOptions.Iterations"/> (which stays the cap), e.g. "until the
/// training error has converged". Asked after each iteration's evaluation; when it says stop, the trainer
/// evaluates and checkpoints as at the last iteration.
/// </summary>
public abstract class StopRule
{
    /// <summary>Why training should stop now, or null to go on.</summary>
    public abstract string? Check(StopContext context);

    /// <summary>A rule from a function returning a reason or null.</summary>
    public static StopRule When(Func<StopContext, string?> check) => new Delegated(check ?? throw new ArgumentNullException(nameof(check)));

    /// <summary>
    /// Stops when the mean training loss of the last <paramref name="window"/> iterations is within
    /// <paramref name="relativeTolerance"/> of the mean of the <paramref name="window"/> before them.
    /// </summary>
    /// <exception cref="ArgumentException">A window below 1 or a tolerance that is negative or not finite.</exception>
    public static StopRule LossConverged(int window, double relativeTolerance)
    {
        if (window < 1) throw new ArgumentException($"window must be ≥ 1, got {window}", nameof(window));
        if (!(double.IsFinite(relativeTolerance) && relativeTolerance >= 0))
            throw new ArgumentException($"relative tolerance must be finite and ≥ 0, got {relativeTolerance}", nameof(relativeTolerance));
        return When(c =>
        {
            var l = c.Losses;
            if (l.Count < 2 * window || c.Iteration % window != 0) return null;
            double recent = 0, before = 0;
            for (int i = l.Count - window; i < l.Count; i++) recent += l[i];
            for (int i = l.Count - 2 * window; i < l.Count - window; i++) before += l[i];
            recent /= window;
            before /= window;
            double change = Math.Abs(before - recent) / Math.Max(Math.Abs(before), 1e-12);
            return change <= relativeTolerance
                ? $"training loss converged: mean {recent:G4} over the last {window} iterations is within {change:P2} of the {window} before (tolerance {relativeTolerance:P2})"
                : null;
        });
    }

    sealed class Delegated(Func<StopContext, string?> check) : StopRule
    {
        public override string? Check(StopContext context) => check(context);
    }
}
