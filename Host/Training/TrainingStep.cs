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
    public static double Run(Module model, Optimizer optimizer, Batch batch)
    {
        var loss = model.Forward(batch.ToTensor()).CrossEntropy(batch.Labels);
        double value = loss.Item;
        if (!double.IsFinite(value)) return value;
        loss.Backward();
        optimizer.Step();
        optimizer.ZeroGrad();
        return value;
    }
}
