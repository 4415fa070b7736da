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

    /// <summary>
    /// Loss and accuracy of <paramref name="model"/> on examples 0..<paramref name="count"/>−1 of an indexed source:
    /// <paramref name="input"/> gives the inputs of a batch of indices, <paramref name="labels"/> their classes.
    /// </summary>
    public static Evaluation Evaluate(Module model, int count, Func<int[], Tensor> input, IReadOnlyList<int> labels, int iteration = 0, int batchSize = 500)
    {
        ArgumentNullException.ThrowIfNull(labels);
        if (labels.Count < count) throw new ArgumentException($"{count} examples to evaluate but {labels.Count} labels", nameof(labels));
        double lossSum = 0;
        int correct = 0;
        ForEachBatch(model, count, input, batchSize, (indices, logits) =>
        {
            var truth = indices.Select(i => labels[i]).ToArray();
            lossSum += logits.CrossEntropySum(truth).Item;
            var predicted = logits.ArgMax(1);
            for (int k = 0; k < truth.Length; k++)
                if (predicted[k] == truth[k]) correct++;
        });
        return new Evaluation(iteration, lossSum / count, (double)correct / count, count);
    }

    /// <summary>The class <paramref name="model"/> predicts (arg max of its output) for examples 0..<paramref name="count"/>−1 of an indexed source.</summary>
    public static int[] Predict(Module model, int count, Func<int[], Tensor> input, int batchSize = 500)
    {
        var predicted = new int[count];
        ForEachBatch(model, count, input, batchSize, (indices, logits) => Array.Copy(logits.ArgMax(1), 0, predicted, indices[0], indices.Length));
        return predicted;
    }

    /// <summary>Fraction of positions where <paramref name="predicted"/> equals <paramref name="truth"/>.</summary>
    /// <exception cref="ArgumentException">The lengths differ or are 0.</exception>
    public static double Accuracy(IReadOnlyList<int> predicted, IReadOnlyList<int> truth)
    {
        ArgumentNullException.ThrowIfNull(predicted);
        ArgumentNullException.ThrowIfNull(truth);
        if (predicted.Count != truth.Count || truth.Count == 0)
            throw new ArgumentException($"{predicted.Count} predictions for {truth.Count} labels");
        int hits = 0;
        for (int i = 0; i < truth.Count; i++) if (predicted[i] == truth[i]) hits++;
        return (double)hits / truth.Count;
    }

    /// <summary>The model's output for consecutive batches of 0..count−1, in evaluation mode with recording off.</summary>
    static void ForEachBatch(Module model, int count, Func<int[], Tensor> input, int batchSize, Action<int[], Tensor> use)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(input);
        if (count <= 0) throw new ArgumentException($"nothing to evaluate: {count} examples", nameof(count));
        if (batchSize < 1) throw new ArgumentException($"batch size must be ≥ 1, got {batchSize}", nameof(batchSize));
        bool wasTraining = model.IsTraining;
        model.Eval();
        try
        {
            using var _ = Tensor.NoGrad();
            for (int start = 0; start < count; start += batchSize)
            {
                using var buffers = Tensor.Scope();
                var indices = Enumerable.Range(start, Math.Min(batchSize, count - start)).ToArray();
                use(indices, model.Forward(input(indices)));
            }
        }
        finally
        {
            if (wasTraining) model.Train();
        }
    }
}
