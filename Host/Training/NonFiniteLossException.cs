namespace InitLab.Training;

/// <summary>
/// Training diverged: the loss became NaN or infinite, or broke the <see cref="DivergenceRule"/>. No
/// checkpoint from after the first bad step is written: the last good checkpoint (if any) is untouched;
/// <see cref="Iteration"/> says where it happened.
/// </summary>
public sealed class NonFiniteLossException : Exception
{
    /// <summary>The 1-based iteration whose loss was bad.</summary>
    public int Iteration { get; }

    /// <summary>The offending loss value.</summary>
    public double Loss { get; }

    /// <summary>The divergence bound the finite loss broke, or null when the loss was not finite.</summary>
    public double? Bound { get; }

    /// <summary>Creates the exception for a loss that is not finite.</summary>
    public NonFiniteLossException(int iteration, double loss, string? checkpoint)
        : this(iteration, loss, checkpoint, null, null) { }

    /// <summary>Creates the exception for a loss that broke <paramref name="rule"/>'s <paramref name="bound"/> (or is not finite when null).</summary>
    public NonFiniteLossException(int iteration, double loss, string? checkpoint, double? bound, DivergenceRule? rule)
        : base($"diverged at iteration {iteration}: the loss is {loss:G6} "
               + (bound is { } b && double.IsFinite(b) ? $"(above the bound {b:G4}; rule: {rule ?? DivergenceRule.Default})" : "(not finite)")
               + "; " + (checkpoint is null ? "no checkpoint was written" : $"the last good checkpoint is kept at {checkpoint}")
               + ". Lower the learning rate or check the data.")
    {
        Iteration = iteration;
        Loss = loss;
        Bound = bound is { } v && double.IsFinite(v) ? v : null;
    }
}
