using System.Diagnostics;
using InitLab.Data;
using InitLab.Kernel;
using InitLab.Kernel.Nn;
using InitLab.Kernel.Optim;
using InitLab.Store;

namespace InitLab.Training;

/// <summary>
/// The mini-batch loop every study shares: the objective's batch loss, backward, optimiser step with
/// its learning-rate policy; evaluations on a schedule (every N iterations or every epoch, optionally
/// before the first step, on the test set and on a training probe); an optional stop rule below the
/// iteration cap; metrics into the run store; checkpoints that resume bit for bit; a guard that stops
/// on a NaN/Inf loss or a loss explosion (<see cref="TrainingOptions.Divergence"/>) and never writes a
/// checkpoint from after the first bad step: a checkpoint is written only once the next loss (or, at the
/// end, a forward pass of the last batch) shows its weights are good. A checkpoint carries the run's
/// config (<see cref="TrainingOptions.RunConfig"/>); resuming under another one is refused unless allowed.
/// The kernel thread count is set for the run only (<see cref="Threads.Use"/>).
/// </summary>
public sealed class Trainer
{
    /// <summary>Metric names written to the run store.</summary>
    public static class Metrics
    {
        /// <summary>Training loss of one iteration.</summary>
        public const string TrainLoss = "train/loss";
        /// <summary>Base learning rate of one iteration.</summary>
        public const string LearningRate = "train/lr";
        /// <summary>Mean test-set loss at an evaluation.</summary>
        public const string TestLoss = "test/loss";
        /// <summary>Test-set accuracy at an evaluation.</summary>
        public const string TestAccuracy = "test/accuracy";
        /// <summary>Mean loss on the training probe at an evaluation.</summary>
        public const string TrainSetLoss = "train_set/loss";
        /// <summary>Accuracy on the training probe at an evaluation.</summary>
        public const string TrainSetAccuracy = "train_set/accuracy";
        /// <summary>1 at the iteration a run was resumed under a changed config (allowed by <see cref="TrainingOptions.AllowConfigChange"/>).</summary>
        public const string ConfigChanged = "resume/config_changed";
    }

    /// <summary>The model being trained (its parameters are updated in place).</summary>
    public Module Model { get; }

    /// <summary>The optimiser of <see cref="Model"/>'s parameters.</summary>
    public Optimizer Optimizer { get; }

    /// <summary>The options this trainer runs with.</summary>
    public TrainingOptions Options { get; }

    /// <summary>The batch loss and the evaluation.</summary>
    public Objective Objective { get; }

    /// <summary>Raised after each finished epoch (after its evaluation, before its checkpoint), e.g. to print progress.</summary>
    public event Action<TrainingEpoch>? EpochFinished;

    /// <summary>
    /// Prepares training of <paramref name="model"/> with an optimiser spec such as
    /// <c>"sgd:0.9 lr=0.01 wd=5e-4 policy=inv:1e-4:0.75 bias_lr=2"</c> or <c>"caffe-lenet"</c>
    /// (see <see cref="OptimizerSpec.Syntax"/>).
    /// </summary>
    /// <exception cref="ArgumentException">An impossible option or an invalid optimiser spec.</exception>
    public Trainer(Module model, string optimizerSpec, TrainingOptions options, Objective? objective = null)
        : this(model, Checked(model, options)(optimizerSpec), options, objective) { }

    /// <summary>
    /// Prepares training of <paramref name="model"/> with an optimiser built for its parameters, e.g.
    /// <c>Optimizers.Adam(model, lr: 1e-3)</c>; <paramref name="objective"/> defaults to classification
    /// (cross-entropy on the labels) at the options' pixel scale.
    /// </summary>
    /// <exception cref="ArgumentException">An impossible option.</exception>
    public Trainer(Module model, Optimizer optimizer, TrainingOptions options, Objective? objective = null)
    {
        Checked(model, options);
        ArgumentNullException.ThrowIfNull(optimizer);
        Model = model;
        Optimizer = optimizer;
        Options = options;
        Objective = objective ?? Objective.Classification(options.Scale, options.TestBatchSize);
    }

    static Func<string, Optimizer> Checked(Module model, TrainingOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return spec => OptimizerSpec.Parse(spec).Create(model);
    }

    /// <summary>
    /// Trains on <paramref name="train"/> up to <see cref="TrainingOptions.Iterations"/> (or until the stop
    /// rule says so), evaluating on <paramref name="test"/> and on <paramref name="trainProbe"/> when given,
    /// logging to <paramref name="store"/> under <paramref name="runId"/> when given.
    /// </summary>
    /// <exception cref="NonFiniteLossException">The loss became NaN or infinite, or broke the divergence rule.</exception>
    /// <exception cref="ConfigChangedException">The checkpoint was written under another run config and the change is not allowed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancel"/> fired; a checkpoint not yet verified is not written.</exception>
    public TrainingResult Run(DataSet train, DataSet? test = null, RunStore? store = null, long runId = 0,
        CancellationToken cancel = default, DataSet? trainProbe = null)
    {
        ArgumentNullException.ThrowIfNull(train);
        var o = Options;
        if (train.Count == 0) throw new ArgumentException($"training set '{train.Name}' is empty", nameof(train));
        if (test is not null && test.Count == 0) throw new ArgumentException($"test set '{test.Name}' is empty", nameof(test));
        using var threads = Threads.Use(o.Threads);

        int start = 0;
        string? configChange = null;
        IReadOnlyDictionary<string, string>? restored = null;
        if (o.CheckpointPath is not null && o.Resume && File.Exists(o.CheckpointPath))
            (start, configChange, restored) = Restore(o.CheckpointPath);
        if (start > o.Iterations)
            throw new ArgumentException($"checkpoint {o.CheckpointPath} is at iteration {start}, beyond the {o.Iterations} requested");

        var batchOptions = new BatchOptions(o.BatchSize) { Seed = o.DataSeed, Shuffle = o.Shuffle, Scale = o.Scale, ReuseBuffers = true, Prefetch = 2 };
        int perEpoch = o.BatchesPerEpoch(train.Count);
        int firstEpoch = start / perEpoch, skip = start % perEpoch;
        var epochLog = new EpochLog(perEpoch);
        if (restored is not null) epochLog.Restore(restored, start, o.CheckpointPath!);
        int epochs = (o.Iterations - start + skip + perEpoch - 1) / perEpoch;
        int interval = o.EvaluateEveryEpoch ? perEpoch : o.TestInterval;

        var losses = new List<double>(o.Iterations - start);
        var rates = new List<double>(o.Iterations - start);
        var evaluations = new List<Evaluation>();
        var trainEvaluations = new List<Evaluation>();
        var pending = new List<MetricPoint>();
        void Flush()
        {
            if (store is not null && pending.Count > 0) store.LogMetrics(runId, pending);
            pending.Clear();
        }
        var evalClock = new Stopwatch();
        double? Evaluate(int iteration)
        {
            evalClock.Start();
            if (trainProbe is not null)
            {
                var p = Objective.Evaluate(Model, trainProbe, iteration);
                trainEvaluations.Add(p);
                pending.Add(new MetricPoint(iteration, Metrics.TrainSetLoss, p.Loss));
                pending.Add(new MetricPoint(iteration, Metrics.TrainSetAccuracy, p.Accuracy));
            }
            double? accuracy = null;
            if (test is not null)
            {
                var e = Objective.Evaluate(Model, test, iteration);
                evaluations.Add(e);
                accuracy = e.Accuracy;
                pending.Add(new MetricPoint(iteration, Metrics.TestLoss, e.Loss));
                pending.Add(new MetricPoint(iteration, Metrics.TestAccuracy, e.Accuracy));
            }
            evalClock.Stop();
            return accuracy;
        }

        if (configChange is not null && store is not null)
            store.LogMetrics(runId, [new MetricPoint(start, Metrics.ConfigChanged, 1)]);
        var guard = o.Divergence is null ? null : new DivergenceRule.Tracker(o.Divergence);
        // the weights of a due checkpoint, held until a later loss shows they are good
        CheckpointData? unverified = null;
        string? LastGood() => o.CheckpointPath is not null && File.Exists(o.CheckpointPath) ? o.CheckpointPath : null;
        void Diverged(int at, double loss, double bound)
        {
            Flush();
            throw new NonFiniteLossException(at, loss, LastGood(), bound, o.Divergence);
        }

        Model.Train();
        var clock = Stopwatch.StartNew();
        if (o.EvaluateAtStart && start == 0) Evaluate(0);
        int iteration = start;
        string? stopReason = null;
        using (var progress = new TrainingProgress(o.Label, start, o.Iterations, o.BatchSize, o.Progress))
        {
            double trainedBefore = 0; // training time (evaluations left out) at the end of the previous step
            foreach (var batch in EpochBatches(train, batchOptions, perEpoch, firstEpoch, epochs, skip))
            {
                if (iteration >= o.Iterations) break;
                cancel.ThrowIfCancellationRequested();
                iteration++;
                double lr = Optimizer.CurrentLr;
                double value = TrainingStep.Run(Model, Optimizer, batch, Objective.Loss);
                double? broken = guard is not null ? guard.Check(value) : double.IsFinite(value) ? null : double.NaN;
                if (broken is { } bound) Diverged(iteration, value, bound);
                if (unverified is not null)
                {
                    // this loss was computed from the held weights: they are good
                    Checkpoint.Save(o.CheckpointPath!, unverified);
                    unverified = null;
                }
                losses.Add(value);
                rates.Add(lr);
                pending.Add(new MetricPoint(iteration, Metrics.TrainLoss, value));
                pending.Add(new MetricPoint(iteration, Metrics.LearningRate, lr));

                double trainedNow = clock.Elapsed.TotalSeconds - evalClock.Elapsed.TotalSeconds;
                bool epochDone = epochLog.Add(value, trainedNow - trainedBefore);
                trainedBefore = trainedNow;

                bool last = iteration == o.Iterations;
                bool due = (interval > 0 && iteration % interval == 0) || last;
                double? accuracy = due ? Evaluate(iteration) : null;
                if (!last && o.StopRule is not null)
                {
                    stopReason = o.StopRule.Check(new StopContext(iteration, losses, evaluations, trainEvaluations));
                    if (stopReason is not null)
                    {
                        last = true;
                        if (!due) accuracy = Evaluate(iteration);
                    }
                }
                if (epochDone && epochLog.Close(iteration, At(evaluations, iteration), At(trainEvaluations, iteration)) is { } finished)
                    EpochFinished?.Invoke(finished);
                if (o.CheckpointPath is not null && ((o.CheckpointInterval > 0 && iteration % o.CheckpointInterval == 0) || last))
                {
                    Flush();
                    var held = Snapshot(iteration, epochs: epochLog);
                    if (last)
                    {
                        // no next step will judge these weights: a forward pass of this batch does
                        double after = ProbeLoss(batch);
                        if ((guard is not null ? guard.Peek(after) : double.IsFinite(after) ? null : double.NaN) is { } b)
                            Diverged(iteration, after, b);
                        Checkpoint.Save(o.CheckpointPath, held);
                    }
                    else unverified = held;
                }
                if (pending.Count >= 512) Flush();
                progress.Report(iteration, value, accuracy);
                if (stopReason is not null) break;
            }
        }
        Flush();
        clock.Stop();
        int trained = iteration - start;
        return new TrainingResult(losses, rates, evaluations, start, clock.Elapsed.TotalSeconds,
            trained * (double)o.BatchSize / Math.Max(clock.Elapsed.TotalSeconds, 1e-9))
        {
            TrainEvaluations = trainEvaluations,
            EvaluationSeconds = evalClock.Elapsed.TotalSeconds,
            StopReason = stopReason,
            ConfigChange = configChange,
            Epochs = epochLog.All(iteration, At(evaluations, iteration), At(trainEvaluations, iteration)),
        };
    }

    /// <summary>The first <paramref name="perEpoch"/> batches of each epoch from <paramref name="firstEpoch"/> on, the first <paramref name="skip"/> of them left out.</summary>
    static IEnumerable<Batch> EpochBatches(DataSet train, BatchOptions options, int perEpoch, int firstEpoch, int epochs, int skip)
    {
        for (int e = firstEpoch; e < firstEpoch + epochs; e++)
        {
            int from = e == firstEpoch ? skip : 0;
            foreach (var b in Batches.Epoch(train, options, e).Skip(from).Take(perEpoch - from))
                yield return b;
        }
    }

    static Evaluation? At(List<Evaluation> evaluations, int iteration) =>
        evaluations.Count > 0 && evaluations[^1].Iteration == iteration ? evaluations[^1] : null;

    /// <summary>The loss of <paramref name="batch"/> under the current weights, in evaluation mode, nothing recorded or updated.</summary>
    double ProbeLoss(Batch batch)
    {
        Model.Eval();
        try
        {
            using var _ = Tensor.NoGrad();
            using var buffers = Tensor.Scope();
            return Objective.Loss(Model, batch).Item;
        }
        finally
        {
            Model.Train();
        }
    }

    /// <summary>Writes parameters, optimiser state and dropout generator positions at <paramref name="iteration"/> atomically; refuses non-finite weights.</summary>
    public void SaveCheckpoint(string path, int iteration)
    {
        var data = Snapshot(iteration, path);
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null) Directory.CreateDirectory(dir);
        Checkpoint.Save(path, data);
    }

    /// <summary>A copy of parameters, optimiser state, dropout generators and run config at <paramref name="iteration"/>; refuses non-finite weights.</summary>
    CheckpointData Snapshot(int iteration, string? path = null, EpochLog? epochs = null)
    {
        path ??= Options.CheckpointPath;
        foreach (var (_, p) in Model.ParametersByName)
            if (!p.AllFinite())
                throw new NonFiniteLossException(iteration, double.NaN, path is not null && File.Exists(path) ? path : null);
        var (optim, meta) = KernelState.Optimizer(Optimizer);
        if (Options.RunConfig is { } config) meta[RunConfigKey] = RunConfigText(config);
        if (epochs is not null) meta[EpochLog.MetadataKey] = epochs.Save();
        return new CheckpointData(iteration, Model.SaveParameters(), optim, KernelState.Generators(Model), meta);
    }

    const string RunConfigKey = "run.config";

    static string RunConfigText(IReadOnlyDictionary<string, string> config) =>
        System.Text.Json.JsonSerializer.Serialize(new SortedDictionary<string, string>(config.ToDictionary(), StringComparer.Ordinal));

    /// <summary>Loads a checkpoint into the model, its dropout generators and the optimiser; returns its iteration.</summary>
    /// <exception cref="ConfigChangedException">The checkpoint's run config differs from <see cref="TrainingOptions.RunConfig"/> and the change is not allowed.</exception>
    public int RestoreCheckpoint(string path) => Restore(path).Iteration;

    /// <summary>Loads a checkpoint; returns its iteration, the config change allowed (if any) and its metadata.</summary>
    (int Iteration, string? ConfigChange, IReadOnlyDictionary<string, string>? Metadata) Restore(string path)
    {
        var data = Checkpoint.Load(path);
        string? change = null;
        if (Options.RunConfig is { } now && data.Metadata is not null && data.Metadata.TryGetValue(RunConfigKey, out var savedText))
        {
            Dictionary<string, string> saved;
            try
            {
                saved = System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, string>>(savedText) ?? [];
            }
            catch (System.Text.Json.JsonException e)
            {
                throw new InvalidDataException($"{path}: metadata '{RunConfigKey}' is not a JSON object of strings ({e.Message})", e);
            }
            var differences = saved.Keys.Union(now.Keys).Order(StringComparer.Ordinal)
                .Where(k => saved.GetValueOrDefault(k) != now.GetValueOrDefault(k))
                .Select(k => $"{k} {saved.GetValueOrDefault(k) ?? "(default)"} → {now.GetValueOrDefault(k) ?? "(default)"}")
                .ToList();
            if (differences.Count > 0)
            {
                change = string.Join(", ", differences);
                if (!Options.AllowConfigChange) throw new ConfigChangedException(path, change);
            }
        }
        if (data.Iteration > int.MaxValue) throw new InvalidDataException($"{path}: iteration {data.Iteration} is out of range");
        KernelState.LoadParameters(Model, data.Parameters, path);
        KernelState.LoadGenerators(Model, data.GeneratorState, path);
        KernelState.LoadOptimizer(Optimizer, data, path);
        if (Optimizer.Iteration != (int)data.Iteration)
            throw new InvalidDataException($"{path}: the optimiser state is at iteration {Optimizer.Iteration} but the checkpoint says {data.Iteration}");
        return ((int)data.Iteration, change, data.Metadata);
    }
}
