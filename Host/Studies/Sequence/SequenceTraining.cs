using System.Diagnostics;
using System.Text.Json;
using InitLab.Data;
using InitLab.Kernel;
using InitLab.Kernel.Nn;
using InitLab.Kernel.Optim;
using InitLab.Store;
using InitLab.Training;

namespace InitLab.Studies.Sequence;

/// <summary>
/// The sequence study's whole training loop, for every network it trains (digit CNNs, the LSTM on
/// one-hot labels, model-2 end to end): the loss of a batch comes from a caller's function of the
/// batch's example indices, so one loop serves inputs that are not images of one data set.
/// Epoch-level checkpoints (parameters, dropout generators, finished epochs) resume bit for bit.
/// </summary>
public static class SequenceTraining
{
    const string EpochsKey = "sequence.epochs";
    static readonly JsonSerializerOptions Json = new() { NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };

    /// <summary>
    /// Trains <paramref name="model"/> on examples 0..<paramref name="count"/>−1 with plain SGD: each step
    /// takes the loss <paramref name="batchLoss"/> gives for the batch's indices; after each epoch
    /// <paramref name="validate"/> (if given) returns the validation accuracy and <paramref name="onEpoch"/> hears of it.
    /// </summary>
    /// <exception cref="NonFiniteLossException">A batch loss was NaN or infinite (the last epoch's checkpoint is kept).</exception>
    public static SequenceTrainingResult Train(Module model, int count, Func<int[], Tensor> batchLoss, SequenceTrainingOptions options,
        Func<double>? validate = null, Action<SequenceEpoch>? onEpoch = null, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(batchLoss);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (count <= 0) throw new ArgumentException($"nothing to train on: {count} examples", nameof(count));
        Kernel.Raw.Threads.Count = options.Threads;
        var optimizer = OptimizerSpecModule.create(
            OptimizerSpecModule.parse(FormattableString.Invariant($"sgd lr={options.LearningRate:R}")), model.NamedParameters);

        var epochs = new List<SequenceEpoch>();
        if (options.CheckpointPath is not null && File.Exists(options.CheckpointPath))
            epochs.AddRange(Restore(model, options.CheckpointPath));
        int resumedFrom = epochs.Count;
        if (resumedFrom > options.Epochs)
            throw new ArgumentException($"checkpoint {options.CheckpointPath} holds {resumedFrom} epochs, beyond the {options.Epochs} requested");

        var order = new BatchOptions(options.BatchSize) { Seed = options.DataSeed };
        int perEpoch = Batches.CountPerEpoch(count, order);
        if (options.MaxBatchesPerEpoch > 0) perEpoch = Math.Min(perEpoch, options.MaxBatchesPerEpoch);
        var full = new int[options.BatchSize];
        var clock = Stopwatch.StartNew();
        long examples = 0;
        int step = resumedFrom * perEpoch;
        for (int epoch = resumedFrom; epoch < options.Epochs; epoch++)
        {
            var epochClock = Stopwatch.StartNew();
            var permutation = Batches.Order(count, order, epoch);
            model.Train();
            double lossSum = 0;
            for (int k = 0; k < perEpoch; k++)
            {
                cancel.ThrowIfCancellationRequested();
                int start = k * options.BatchSize, n = Math.Min(options.BatchSize, count - start);
                var indices = n == full.Length ? full : new int[n];
                Array.Copy(permutation, start, indices, 0, n);
                step++;
                var loss = batchLoss(indices);
                double value = loss.Item;
                if (!double.IsFinite(value))
                    throw new NonFiniteLossException(step, value,
                        options.CheckpointPath is not null && File.Exists(options.CheckpointPath) ? options.CheckpointPath : null);
                loss.Backward();
                optimizer.Step();
                optimizer.ZeroGrad();
                lossSum += value;
                examples += n;
            }
            double seconds = epochClock.Elapsed.TotalSeconds;
            var record = new SequenceEpoch(epoch + 1, lossSum / perEpoch, validate is null ? double.NaN : validate(), seconds);
            epochs.Add(record);
            if (options.CheckpointPath is not null) Save(model, options.CheckpointPath, epochs);
            onEpoch?.Invoke(record);
        }
        double total = clock.Elapsed.TotalSeconds;
        return new SequenceTrainingResult(epochs, resumedFrom, total, examples / Math.Max(total, 1e-9));
    }

    /// <summary>The model's class prediction (arg max of its output) for examples 0..count−1, in evaluation mode without recording.</summary>
    public static int[] Predict(Module model, int count, Func<int[], Tensor> input, int batchSize = 500)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(input);
        bool wasTraining = model.IsTraining;
        model.Eval();
        var predicted = new int[count];
        try
        {
            using var _ = Tensor.NoGrad();
            for (int start = 0; start < count; start += batchSize)
            {
                using var buffers = Tensor.Scope();
                var indices = Enumerable.Range(start, Math.Min(batchSize, count - start)).ToArray();
                var best = model.Forward(input(indices)).ArgMax(1);
                Array.Copy(best, 0, predicted, start, indices.Length);
            }
        }
        finally
        {
            if (wasTraining) model.Train();
        }
        return predicted;
    }

    /// <summary>Fraction of positions where <paramref name="predicted"/> equals <paramref name="truth"/>.</summary>
    public static double Accuracy(IReadOnlyList<int> predicted, IReadOnlyList<int> truth)
    {
        if (predicted.Count != truth.Count || truth.Count == 0)
            throw new ArgumentException($"{predicted.Count} predictions for {truth.Count} labels");
        int hits = 0;
        for (int i = 0; i < truth.Count; i++) if (predicted[i] == truth[i]) hits++;
        return (double)hits / truth.Count;
    }

    static void Save(Module model, string path, List<SequenceEpoch> epochs)
    {
        var generators = KernelState.Generators(model);
        var meta = new Dictionary<string, string> { [EpochsKey] = JsonSerializer.Serialize(epochs, Json) };
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null) Directory.CreateDirectory(dir);
        Checkpoint.Save(path, new CheckpointData(epochs.Count, KernelState.Parameters(model), [], generators, meta));
    }

    static List<SequenceEpoch> Restore(Module model, string path)
    {
        var data = Checkpoint.Load(path);
        KernelState.LoadParameters(model, data.Parameters, path);
        KernelState.LoadGenerators(model, data.GeneratorState, path);
        if (data.Metadata is null || !data.Metadata.TryGetValue(EpochsKey, out var json))
            throw new InvalidDataException($"{path}: no '{EpochsKey}' record of finished epochs");
        var epochs = JsonSerializer.Deserialize<List<SequenceEpoch>>(json, Json)
            ?? throw new InvalidDataException($"{path}: '{EpochsKey}' is empty");
        if (epochs.Count != data.Iteration)
            throw new InvalidDataException($"{path}: the checkpoint is at epoch {data.Iteration} but records {epochs.Count} epochs");
        return epochs;
    }
}
