using InitLab.Data;
using InitLab.Kernel;
using InitLab.Kernel.Nn;
using InitLab.Kernel.Optim;

namespace InitLab.Training;

/// <summary>One mini-batch update, the unit every training loop repeats.</summary>
public static class TrainingStep
{
    /// <summary>
    /// Forward, cross-entropy, backward, optimiser step (rate from its policy), gradients cleared.
    /// Returns the batch loss; when it is NaN or infinite nothing is updated and the caller decides.
    /// </summary>
    public static double Run(Module model, Optimizer optimizer, Batch batch) =>
        Run(model, optimizer, batch, Objective.CrossEntropyLoss);

    /// <summary>As <see cref="Run(Module, Optimizer, Batch)"/> with the batch loss computed by <paramref name="loss"/>.</summary>
    public static double Run(Module model, Optimizer optimizer, Batch batch, Func<Module, Batch, Tensor> loss)
    {
        ArgumentNullException.ThrowIfNull(loss);
        return Step(optimizer, loss(model, batch));
    }

    static double Step(Optimizer optimizer, Tensor loss)
    {
        if (loss.Numel != 1) throw new ArgumentException($"the loss must be a scalar, got shape [{string.Join(", ", loss.Shape)}]", nameof(loss));
        double value = loss.Item;
        if (!double.IsFinite(value)) return value;
        loss.Backward();
        optimizer.Step();
        optimizer.ZeroGrad();
        return value;
    }
}
