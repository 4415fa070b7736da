using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using InitLab.Data;
using InitLab.Kernel;
using InitLab.Kernel.Init;
using InitLab.Kernel.Nn;
using InitLab.Kernel.Optim;
using InitLab.Statistics;
using InitLab.Store;
using InitLab.Training;

namespace InitLab.Studies;

/// <summary>
/// Trains the arms of the paper-001 study on the shared <see cref="Trainer"/>: an evaluation of the training
/// probe and of the evaluation set after every epoch, <see cref="ConvergenceRule"/> as its stop rule, the
/// score from the evaluations after convergence. Finished arms are recorded in a run store and reused on a
/// rerun; an arm killed half-way is trained again from its start (arm-level resume).
/// </summary>
public sealed class InitArmTraining : IDisposable
{
    /// <summary>The study name in the run store.</summary>
    public const string Study = "paper001-init";

    private readonly RunStore store;

    /// <summary>Opens (or creates) the run store at <paramref name="storePath"/>.</summary>
    public InitArmTraining(string storePath) => store = RunStore.Open(storePath);

    /// <summary>
    /// Runs <paramref name="arm"/> (or reuses its finished run): its stratified subset of <paramref name="train"/>,
    /// the paper-001 LeNet initialised by its method, Adam until convergence, scored on <paramref name="test"/>
    /// (or, for a validation arm, on a validation split carved from the subset; <paramref name="test"/> unused).
    /// </summary>
    public InitArmResult RunOrReuse(InitArm arm, DataSet train, DataSet test, InitArmOptions options)
    {
        ArgumentNullException.ThrowIfNull(arm);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (!(arm.Delta >= 0 && arm.Delta <= 1)) throw new ArgumentOutOfRangeException(nameof(arm), arm.Delta, $"arm {arm.Key}: delta must lie in [0, 1]");
        string config = JsonSerializer.Serialize(new { arm, options = options with { Threads = 0 }, convergence = options.Convergence });
        var found = store.FindFinishedRun(Study, arm.Key, config);
        if (found is not null && TryReuse(found.Id, arm, out var reused)) return reused!;

        var (fit, eval) = Sets(arm, train, test, options);
        long run = store.StartRun(new RunInfo(Study, arm.Key, config, arm.Seed, fit.Fingerprint + "+" + eval.Fingerprint));
        try
        {
            var result = Train(arm, fit, eval, options);
            var points = new List<MetricPoint>();
            foreach (var e in result.Epochs)
            {
                points.Add(new MetricPoint(e.Epoch, "epoch/train_error", e.TrainError));
                points.Add(new MetricPoint(e.Epoch, "epoch/eval_accuracy", e.EvaluationAccuracy));
            }
            points.Add(new MetricPoint(0, "arm/score_q3", result.Score));
            points.Add(new MetricPoint(0, "arm/converged_epoch", result.ConvergedEpoch ?? -1));
            points.Add(new MetricPoint(0, "arm/init_seconds", result.InitSeconds));
            points.Add(new MetricPoint(0, "arm/train_seconds", result.TrainSeconds));
            points.Add(new MetricPoint(0, "arm/train_images", result.TrainImages));
            for (int i = 0; i < result.Conv1Initial.Length; i++) points.Add(new MetricPoint(i, "conv1/initial", result.Conv1Initial[i]));
            for (int i = 0; i < result.Conv1Trained.Length; i++) points.Add(new MetricPoint(i, "conv1/trained", result.Conv1Trained[i]));
            store.LogMetrics(run, points);
            store.FinishRun(run, RunStatus.Finished);
            return result;
        }
        catch (Exception e)
        {
            store.FinishRun(run, RunStatus.Failed, e.Message);
            throw;
        }
    }

    /// <summary>The set an arm fits and the set it is scored on.</summary>
    private static (DataSet Fit, DataSet Eval) Sets(InitArm arm, DataSet train, DataSet test, InitArmOptions options)
    {
        var subset = Splits.StratifiedSubsample(train, arm.SubsetPercent, arm.Seed);
        DataSet fit, eval;
        if (arm.Purpose == ArmPurpose.Validation)
        {
            int val = Math.Max(subset.ClassCount, (int)Math.Round(subset.Count * options.ValidationPercent / 100));
            var split = Splits.TrainValidationTest(subset, subset.Count - val, val, 0, arm.Seed);
            (fit, eval) = (split.Train, split.Validation);
        }
        else (fit, eval) = (subset, test);
        return (fit, Probe(eval, options.EvaluationLimit));
    }

    /// <summary>A fixed stratified part of <paramref name="data"/> of about <paramref name="limit"/> images (0 = all of it).</summary>
    private static DataSet Probe(DataSet data, int limit) =>
        limit > 0 && data.Count > limit
            ? data.Subset(Splits.StratifiedSubsampleIndices(data.Labels, data.ClassCount, 100.0 * limit / data.Count, 1), data.Name + "/probe")
            : data;

    /// <summary>The network of an arm, initialised (no training): the paper-001 LeNet, MSRA, then Algorithm 1 when asked.</summary>
    public static Sequential Initialise(InitArm arm, DataSet fit, PixelScale scale)
    {
        // the network's default weights are MSRA, fan-in: the paper's baseline
        var model = Paper001LeNet.Create(fit.Channels, fit.Height, fit.Width, fit.ClassCount, new Generator((ulong)arm.Seed));
        if (arm.Method == InitMethod.DataDriven)
        {
            // The seed fixes the order Algorithm 1 visits the inputs in (it matters for the growing inhibiting set).
            var order = new SeededRandom(arm.Seed, 77).Permutation(fit.Count);
            var inputs = Images(fit, order, scale);
            var opts = DataDrivenOptions.Default.WithDelta(arm.Delta);
            DataDrivenModel.Initialise(opts, model, Paper001LeNet.DataDrivenLayers, inputs, new Generator((ulong)arm.Seed + 1_000_003UL));
        }
        return model;
    }

    private static Tensor Images(DataSet data, int[] order, PixelScale scale)
    {
        int size = data.ImageSize;
        var values = new float[(long)order.Length * size];
        for (int k = 0; k < order.Length; k++)
            PixelTransforms.ToFloat(data.Image(order[k]), values.AsSpan(k * size, size), scale);
        return Tensor.Wrap(values, [order.Length, data.Channels, data.Height, data.Width]);
    }

    private static InitArmResult Train(InitArm arm, DataSet fit, DataSet eval, InitArmOptions options)
    {
        var rule = options.Convergence;
        Sequential model;
        var initClock = Stopwatch.StartNew();
        using (Threads.Use(options.Threads)) model = Initialise(arm, fit, options.Scale);
        initClock.Stop();
        var conv1 = model.ParametersByName.First(p => p.Name == "conv1.weight").Value;
        var conv1Initial = conv1.ToFloat32Array();
        var optimizer = Optimizers.FromSpec(options.Optimizer, model);
        int perEpoch = Batches.CountPerEpoch(fit.Count, new BatchOptions(options.BatchSize));
        // The shared trainer: the cap is MaxEpochs epochs; after every epoch it evaluates the training probe
        // (the stop rule's training error) and the evaluation set; the convergence rule stops it.
        var training = new TrainingOptions
        {
            Iterations = rule.MaxEpochs * perEpoch,
            BatchSize = options.BatchSize,
            DataSeed = arm.Seed,
            Threads = options.Threads,
            Scale = options.Scale,
            EvaluateEveryEpoch = true,
            TestBatchSize = 1000,
            StopRule = rule.AsStopRule(),
            Progress = ProgressMode.Silent,
            Label = arm.Key,
        };
        var result = new Trainer(model, optimizer, training).Run(fit, eval, trainProbe: Probe(fit, options.TrainEvaluationLimit));
        var errors = ConvergenceRule.TrainErrors(result.TrainEvaluations);
        var epochs = errors.Select((e, i) => new EpochPoint(i + 1, e, result.Evaluations[i].Accuracy)).ToList();
        int? converged = rule.ConvergedAt(errors);
        var scored = converged is int c && c < epochs.Count
            ? epochs.Skip(c).Select(e => e.EvaluationAccuracy).ToList()
            : epochs.Skip(Math.Max(0, epochs.Count - rule.AfterEpochs)).Select(e => e.EvaluationAccuracy).ToList();
        return new InitArmResult(arm, epochs, converged, Quantile.UpperQuartile(scored), initClock.Elapsed.TotalSeconds,
            result.Seconds - result.EvaluationSeconds, fit.Count, false, conv1Initial, conv1.ToFloat32Array());
    }

    private bool TryReuse(long run, InitArm arm, out InitArmResult? result)
    {
        var m = store.GetMetrics(run);
        double One(string name) => m.First(p => p.Name == name).Value;
        try
        {
            var errors = m.Where(p => p.Name == "epoch/train_error").OrderBy(p => p.Step).ToList();
            var accs = m.Where(p => p.Name == "epoch/eval_accuracy").OrderBy(p => p.Step).ToList();
            var epochs = errors.Zip(accs, (e, a) => new EpochPoint((int)e.Step, e.Value, a.Value)).ToList();
            int conv = (int)One("arm/converged_epoch");
            float[] W(string name) => [.. m.Where(p => p.Name == name).OrderBy(p => p.Step).Select(p => (float)p.Value)];
            result = new InitArmResult(arm, epochs, conv < 0 ? null : conv, One("arm/score_q3"), One("arm/init_seconds"),
                One("arm/train_seconds"), (int)One("arm/train_images"), true, W("conv1/initial"), W("conv1/trained"));
            return epochs.Count > 0;
        }
        catch (InvalidOperationException)
        {
            result = null;
            return false;
        }
    }

    /// <inheritdoc/>
    public void Dispose() => store.Dispose();
}
