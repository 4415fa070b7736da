using System.Diagnostics;
using InitLab.Data;
using InitLab.Kernel;
using InitLab.Kernel.Nn;
using InitLab.Kernel.Optim;
using InitLab.Training;

namespace InitLab.Studies;

/// <summary>
/// The textbook's training loop (Deep Learning from Scratch ch. 4, train_neuralnet.py): mini-batch
/// steps with a constant-rate optimiser, and the loss and accuracy of the whole training and test sets
/// recorded every epoch, so train and test curves can be set side by side (over- and under-fitting).
/// Unlike the book, which draws each batch with replacement, batches come from a seeded shuffle per epoch.
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
        var optimizer = OptimizerSpec.Parse(optimizerSpec).Create(model);
        using var threads = Threads.Use(options.Threads);

        int perEpoch = options.IterationsPerEpoch > 0 ? options.IterationsPerEpoch : Math.Max(train.Count / options.BatchSize, 1);
        var batchOptions = new BatchOptions(options.BatchSize) { Seed = options.DataSeed, Scale = options.Scale, ReuseBuffers = true, Prefetch = 2 };
        int batchesPerPass = Batches.CountPerEpoch(train.Count, batchOptions);
        int passes = (options.Iterations + batchesPerPass - 1) / batchesPerPass;

        var trainProbe = options.TrainEvaluationCount > 0 && options.TrainEvaluationCount < train.Count
            ? train.Subset(Enumerable.Range(0, options.TrainEvaluationCount).ToArray(), $"{train.Name}[:{options.TrainEvaluationCount}]")
            : train;
        var losses = new List<double>(options.Iterations);
        var epochs = new List<EpochRecord>();
        var trainClock = new Stopwatch();
        var evalClock = new Stopwatch();
        void Evaluate(int iteration)
        {
            evalClock.Start();
            var tr = Evaluator.Evaluate(model, trainProbe, options.Scale, 1000, iteration);
            var te = Evaluator.Evaluate(model, test, options.Scale, 1000, iteration);
            evalClock.Stop();
            epochs.Add(new EpochRecord(epochs.Count, iteration, tr.Loss, tr.Accuracy, te.Loss, te.Accuracy));
        }

        model.Train();
        Evaluate(0);
        int step = 0;
        foreach (var batch in Batches.Epochs(train, batchOptions, passes))
        {
            if (step >= options.Iterations) break;
            trainClock.Start();
            double value = TrainingStep.Run(model, optimizer, batch);
            if (!double.IsFinite(value)) throw new NonFiniteLossException(step + 1, value, null);
            trainClock.Stop();
            losses.Add(value);
            step++;
            if (step % perEpoch == 0 || step == options.Iterations) Evaluate(step);
        }
        return new EpochTrainingResult(losses, epochs, trainClock.Elapsed.TotalSeconds, evalClock.Elapsed.TotalSeconds);
    }
}
