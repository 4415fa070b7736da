using InitLab.Data;
using InitLab.Kernel;
using InitLab.Kernel.Nn;

namespace InitLab.Training;

/// <summary>
/// What the trainer minimises and how it scores a model: the loss of one mini-batch (a scalar tensor
/// the trainer differentiates) and an evaluation on a whole data set. The default is classification:
/// cross-entropy of <c>model.Forward(images)</c> against the labels. A composite model (two-image
/// inputs, a CNN feeding an LSTM) supplies its own functions and is trained by the same loop.
/// </summary>
/// <param name="Loss">Scalar loss of a batch, computed through <paramref name="Loss"/>'s model argument with gradients recorded.</param>
/// <param name="Evaluate">Loss and accuracy of the model on a data set after a given iteration; called with recording off.</param>
public sealed record Objective(Func<Module, Batch, Tensor> Loss, Func<Module, DataSet, int, Evaluation> Evaluate)
{
    /// <summary>Mean cross-entropy of <c>model.Forward(images)</c> against the batch's labels.</summary>
    public static Tensor CrossEntropyLoss(Module model, Batch batch) => model.Forward(batch.ToTensor()).CrossEntropy(batch.Labels);

    /// <summary>
    /// The batch loss from the caller's function of the batch's example indices (into the training set), for
    /// inputs that are not the set's images as they are: one channel of a pair, labels predicted by another
    /// network, another label per example. The evaluation is the caller's too (e.g. <see cref="Evaluator.Evaluate(Module, int, Func{int[], Tensor}, IReadOnlyList{int}, int, int)"/>).
    /// </summary>
    public static Objective OfIndices(Func<int[], Tensor> batchLoss, Func<Module, DataSet, int, Evaluation> evaluate)
    {
        ArgumentNullException.ThrowIfNull(batchLoss);
        ArgumentNullException.ThrowIfNull(evaluate);
        return new((_, batch) => batchLoss(batch.Indices.Length == batch.Count ? batch.Indices : batch.Indices[..batch.Count]), evaluate);
    }

    /// <summary>Cross-entropy against the batch's labels; evaluation by <see cref="Evaluator.Evaluate"/> in batches of <paramref name="evaluationBatchSize"/>.</summary>
    public static Objective Classification(PixelScale scale, int evaluationBatchSize = 500) => new(
        CrossEntropyLoss,
        (model, data, iteration) => Evaluator.Evaluate(model, data, scale, evaluationBatchSize, iteration));
}
