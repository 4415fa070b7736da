using InitLab.Data;
using InitLab.Kernel;
using InitLab.Kernel.Nn;
using InitLab.Kernel.Optim;
using InitLab.Training;

namespace InitLab.Studies;

/// <summary>
/// The textbook's training regime (Deep Learning from Scratch ch. 4, train_neuralnet.py) on the one
/// <see cref="Trainer"/>: mini-batch steps with a constant-rate optimiser, and the loss and accuracy of
/// the whole training and test sets recorded every epoch and once before the first step, so train and
/// test curves can be set side by side (over- and under-fitting). Unlike the book, which draws each
/// batch with replacement, batches come from a seeded shuffle per epoch.
/// </summary>
public static class EpochTraining
{
    /// <summary>
    /// Trains <paramref name="model"/> in place with <paramref name="optimizerSpec"/> (e.g. <c>"sgd lr=0.1"</c>,
    /// see <see cref="OptimizerSpec.Parse"/>) on <paramref name="train"/>, evaluating on both sets.
    /// </summary>
    /// <exception cref="ArgumentException">Impossible options, empty data or an invalid optimiser spec.</exception>
    /// <exception cref="NonFiniteLossException">A mini-batch loss became NaN or infinite.</exception>
    public static EpochTrainingResult Run(Module model, string optimizerSpec, DataSet train, DataSet test, EpochTrainingOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (train.Count == 0) throw new ArgumentException($"training set '{train.Name}' is empty", nameof(train));
        if (test.Count == 0) throw new ArgumentException($"test set '{test.Name}' is empty", nameof(test));

        // the book's epoch: max(train size / batch size, 1) steps, whatever the last partial batch
        int perEpoch = options.IterationsPerEpoch > 0 ? options.IterationsPerEpoch : Math.Max(train.Count / options.BatchSize, 1);
        var trainer = new Trainer(model, optimizerSpec, new TrainingOptions
        {
            Iterations = options.Iterations,
            BatchSize = options.BatchSize,
            DataSeed = options.DataSeed,
            Threads = options.Threads,
            Scale = options.Scale,
            TestInterval = perEpoch,
            EvaluateAtStart = true,
            TestBatchSize = 1000,
            Progress = ProgressMode.Silent,
        });
        var trainProbe = options.TrainEvaluationCount > 0 && options.TrainEvaluationCount < train.Count
            ? train.Subset(Enumerable.Range(0, options.TrainEvaluationCount).ToArray(), $"{train.Name}[:{options.TrainEvaluationCount}]")
            : train;
        var result = trainer.Run(train, test, trainProbe: trainProbe);
        var epochs = result.Evaluations
            .Select((te, i) => (Train: result.TrainEvaluations[i], Test: te))
            .Select((e, i) => new EpochRecord(i, e.Test.Iteration, e.Train.Loss, e.Train.Accuracy, e.Test.Loss, e.Test.Accuracy))
            .ToList();
        return new EpochTrainingResult(result.Losses, epochs, result.Seconds - result.EvaluationSeconds, result.EvaluationSeconds);
    }
}
