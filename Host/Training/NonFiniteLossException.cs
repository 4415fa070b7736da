namespace InitLab.Training;

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
