using InitLab.Data;
using InitLab.Kernel;
using InitLab.Kernel.Nn;

namespace InitLab.Training;

/// <summary>Loss and accuracy of a classifier on a data set, with recording off and the model in evaluation mode.</summary>
public static class Evaluator
{
    /// <summary>Evaluates <paramref name="model"/> on every image of <paramref name="data"/>.</summary>
    public static Evaluation Evaluate(Module model, DataSet data, PixelScale scale, int batchSize = 500, int iteration = 0)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        if (data.Count == 0) throw new ArgumentException($"cannot evaluate on the empty data set '{data.Name}'", nameof(data));
        bool wasTraining = model.IsTraining;
        model.Eval();
        double lossSum = 0;
        int correct = 0;
        try
        {
            using var _ = Tensor.NoGrad();
            var options = new BatchOptions(batchSize) { Shuffle = false, Scale = scale, Prefetch = 1 };
            foreach (var batch in Batches.Epoch(data, options, 0))
            {
                using var buffers = Tensor.Scope(); // intermediates go back to the pool after each batch
                var x = batch.ToTensor();
                var logits = model.Forward(x);
                lossSum += logits.CrossEntropySum(batch.Labels).Item;
                var predicted = logits.ArgMax(1);
                for (int i = 0; i < batch.Count; i++)
                    if (predicted[i] == batch.Labels[i]) correct++;
            }
        }
        finally
        {
            if (wasTraining) model.Train();
        }
        return new Evaluation(iteration, lossSum / data.Count, (double)correct / data.Count, data.Count);
    }
}
