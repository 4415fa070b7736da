using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using InitLab.Kernel;
using InitLab.Kernel.Nn;
using InitLab.Training;

namespace InitLab.Studies.Sequence;

/// <summary>One seed of the study: its four networks (trained or reused), their initial CNNs and Table 2's accuracies on the test pairs.</summary>
/// <param name="Seed">The seed.</param>
/// <param name="Cnn1">model-1's CNN for digit a.</param>
/// <param name="Cnn2">model-1's CNN for digit b.</param>
/// <param name="Lstm">model-1's LSTM on the one-hot predicted digits.</param>
/// <param name="Model2">model-2, trained end to end.</param>
/// <param name="Cnn1Accuracy">CNN1's accuracy on digit a of the scored test pairs.</param>
/// <param name="Cnn2Accuracy">CNN2's accuracy on digit b.</param>
/// <param name="LstmAccuracy">model-1 on c (its LSTM fed the CNNs' predictions).</param>
/// <param name="LstmOnTrueDigits">model-1's LSTM fed the true digits.</param>
/// <param name="Model2Accuracy">model-2 on c.</param>
/// <param name="Trained">The four networks' runs: CNN1, CNN2, LSTM, model-2.</param>
/// <param name="Initial">CNN1 and CNN2 before training.</param>
/// <param name="Seconds">Wall time of this call (training, or loading when reused, and scoring).</param>
public sealed record SequenceSeedResult(int Seed, Module Cnn1, Module Cnn2, LstmClassifier Lstm, CnnLstm Model2,
    double Cnn1Accuracy, double Cnn2Accuracy, double LstmAccuracy, double LstmOnTrueDigits, double Model2Accuracy,
    IReadOnlyList<SequenceArmResult> Trained, IReadOnlyList<Module> Initial, double Seconds)
{
    /// <summary>Training wall time of the networks trained by this call (0 when all were reused).</summary>
    public double TrainSeconds => Trained.Where(t => !t.Reused).Sum(t => t.Seconds);
}

/// <summary>The timed fraction the study's estimate comes from.</summary>
/// <param name="CnnStepSeconds">One SGD step of a digit CNN.</param>
/// <param name="Model2StepSeconds">One SGD step of model-2.</param>
/// <param name="StepsPerEpoch">Steps of one epoch.</param>
/// <param name="SecondsPerSeed">Estimated training time of one seed: every epoch of two CNNs and model-2 (the LSTM's steps are negligible).</param>
public sealed record SequenceEstimate(double CnnStepSeconds, double Model2StepSeconds, int StepsPerEpoch, double SecondsPerSeed);

/// <summary>
/// Trains (or reuses) one seed of paper 003's study on the shared <see cref="Trainer"/>: model-1's two digit CNNs, its
/// LSTM on the one-hot sequence of their predicted labels, and model-2 end to end; each network an arm of
/// <see cref="SequenceRuns"/> (reused when finished, resumed from its last epoch when not), evaluated on the
/// validation pairs after every epoch. What a sweep task of kind <see cref="SequenceSeedTaskKind"/> runs.
/// </summary>
public static class SequenceSeed
{
    /// <summary>Study name of the networks' runs in the store.</summary>
    public const string Study = "seq003";

    static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    /// <summary>Runs seed <paramref name="seed"/>; <paramref name="log"/> hears of epochs 1, every 10th and the last.</summary>
    public static SequenceSeedResult Run(int seed, SequenceData data, SequenceStudyOptions options, SequenceRuns runs,
        Action<string>? log = null, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(runs);
        options.Validate();
        var clock = Stopwatch.StartNew();
        using var threads = Threads.Use(options.Threads); // predictions too, not only the trainer's steps
        var cnnSpec = options.CnnSpec();
        var lstmSpec = options.LstmSpec();
        var cnn1 = SequenceNets.DigitCnn(cnnSpec, new Generator(seed * 100 + 1), null);
        var cnn2 = SequenceNets.DigitCnn(cnnSpec, new Generator(seed * 100 + 2), null);
        var lstm = SequenceNets.LstmClassifier(lstmSpec, new Generator(seed * 100 + 3), null);
        var model2 = SequenceNets.Model2(cnnSpec, lstmSpec, new Generator(seed * 100 + 4), null);
        Module[] initial = [cnn1.Clone(), cnn2.Clone()];
        var train = data.Train;
        var validation = data.Validation;
        int nVal = data.ValidationCount, nTest = data.TestCount;

        SequenceArmResult Arm(string name, Module model, Func<int[], Tensor> loss, Func<int[], Tensor> validationInput, int[] validationLabels,
            params (string Key, string Value)[] extra)
        {
            var config = Config(options, data, seed, extra);
            var arm = new SequenceArm(Study, $"{name}-seed{seed}", JsonSerializer.Serialize(config), seed, data.Fingerprint);
            return runs.TrainOrReuse(arm, model, checkpoint =>
            {
                var training = TrainingOptions(options, train.Count, checkpoint) with { RunConfig = config, Label = arm.Name };
                var trainer = new Trainer(model, Sgd(options), training, Objective.OfIndices(loss,
                    (m, _, iteration) => Evaluator.Evaluate(m, nVal, validationInput, validationLabels, iteration)));
                if (log is not null)
                    trainer.EpochFinished += e =>
                    {
                        if (e.Epoch == 1 || e.Epoch % 10 == 0 || e.Epoch == options.Epochs)
                            log(string.Create(CultureInfo.InvariantCulture,
                                $"  {name} seed {seed} epoch {e.Epoch}/{options.Epochs}: loss {e.TrainLoss:F4}, validation accuracy {e.Accuracy:F4} ({e.Seconds:F1} s/epoch, about {e.Seconds * (options.Epochs - e.Epoch):F0} s left)"));
                    };
                return trainer.Run(train.Pairs, validation.Pairs, cancel: cancel);
            });
        }

        // model-1: each CNN a digit classifier on its image of the pair
        SequenceArmResult Cnn(string name, Module cnn, int channel, Func<SequencePart, int[]> digitsOf) =>
            Arm(name, cnn, idx => cnn.Forward(data.TrainImages.Batch(idx, channel)).CrossEntropy(Pick(digitsOf(train), idx)),
                idx => data.ValidationImages.Batch(idx, channel), digitsOf(validation));
        var r1 = Cnn("model1-cnn1", cnn1, 0, p => p.First);
        var r2 = Cnn("model1-cnn2", cnn2, 1, p => p.Second);
        // ... then the LSTM on the one-hot sequence of their predicted labels, for c
        int[] Predict(Module cnn, PairImages images, int channel, int count) => Evaluator.Predict(cnn, count, idx => images.Batch(idx, channel));
        var (p1, p2) = (Predict(cnn1, data.TrainImages, 0, train.Count), Predict(cnn2, data.TrainImages, 1, train.Count));
        var (v1, v2) = (Predict(cnn1, data.ValidationImages, 0, nVal), Predict(cnn2, data.ValidationImages, 1, nVal));
        var rl = Arm("model1-lstm", lstm, idx => lstm.Forward(OneHot(p1, p2, idx)).CrossEntropy(Pick(train.Pairs.Labels, idx)),
            idx => OneHot(v1, v2, idx), validation.Pairs.Labels,
            ("cnn1_run", r1.RunId.ToString(CultureInfo.InvariantCulture)), ("cnn2_run", r2.RunId.ToString(CultureInfo.InvariantCulture)));
        // model-2: end to end on c
        var rm = Arm("model2", model2, idx => model2.Forward(data.TrainImages.Batch(idx)).CrossEntropy(Pick(train.Pairs.Labels, idx)),
            idx => data.ValidationImages.Batch(idx), validation.Pairs.Labels);

        var test = data.Test;
        var (t1, t2) = (Predict(cnn1, data.TestImages, 0, nTest), Predict(cnn2, data.TestImages, 1, nTest));
        double Score(Module m, Func<int[], Tensor> input, int[] truth) => Evaluator.Accuracy(Evaluator.Predict(m, nTest, input), truth[..nTest]);
        return new SequenceSeedResult(seed, cnn1, cnn2, lstm, model2,
            Evaluator.Accuracy(t1, test.First[..nTest]),
            Evaluator.Accuracy(t2, test.Second[..nTest]),
            Score(lstm, idx => OneHot(t1, t2, idx), test.Pairs.Labels),
            Score(lstm, idx => OneHot(test.First, test.Second, idx), test.Pairs.Labels),
            Score(model2, idx => data.TestImages.Batch(idx), test.Pairs.Labels),
            [r1, r2, rl, rm], initial, clock.Elapsed.TotalSeconds);
    }

    /// <summary>Times a few steps of a digit CNN and of model-2 on throwaway networks (after a warm-up) and extrapolates to one seed.</summary>
    public static SequenceEstimate Estimate(SequenceData data, SequenceStudyOptions options, int steps)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(options);
        if (steps < 1) throw new ArgumentException($"steps must be ≥ 1, got {steps}", nameof(steps));
        var train = data.Train;
        double Time(Module model, Func<int[], Tensor> loss)
        {
            var objective = Objective.OfIndices(loss, (_, _, _) => throw new InvalidOperationException("the timing runs evaluate nothing"));
            var o = TrainingOptions(options, train.Count, null) with { DataSeed = 0, Divergence = null };
            new Trainer(model, Sgd(options), o with { Iterations = Math.Min(4, steps) }, objective).Run(train.Pairs); // warm-up
            return new Trainer(model, Sgd(options), o with { Iterations = steps }, objective).Run(train.Pairs).Seconds / steps;
        }
        var cnn = SequenceNets.DigitCnn(options.CnnSpec(), new Generator(999), null);
        var model2 = SequenceNets.Model2(options.CnnSpec(), options.LstmSpec(), new Generator(998), null);
        double cnnStep = Time(cnn, idx => cnn.Forward(data.TrainImages.Batch(idx, 0)).CrossEntropy(Pick(train.First, idx)));
        double model2Step = Time(model2, idx => model2.Forward(data.TrainImages.Batch(idx)).CrossEntropy(Pick(train.Pairs.Labels, idx)));
        int perEpoch = TrainingOptions(options, train.Count, null).BatchesPerEpoch(train.Count);
        return new SequenceEstimate(cnnStep, model2Step, perEpoch, (double)options.Epochs * perEpoch * (2 * cnnStep + model2Step));
    }

    /// <summary>The trainer's options for one network: every epoch (or its first MaxBatchesPerEpoch batches), evaluated and checkpointed at its end.</summary>
    static TrainingOptions TrainingOptions(SequenceStudyOptions o, int count, string? checkpoint)
    {
        var t = new TrainingOptions
        {
            BatchSize = o.BatchSize,
            DataSeed = o.DataSeed,
            Threads = o.Threads,
            MaxBatchesPerEpoch = o.MaxBatchesPerEpoch,
            EvaluateEveryEpoch = true,
            CheckpointPath = checkpoint,
            Progress = ProgressMode.Silent,
        };
        int perEpoch = t.BatchesPerEpoch(count);
        return t with { Iterations = o.Epochs * perEpoch, CheckpointInterval = perEpoch };
    }

    /// <summary>Plain SGD at the study's rate.</summary>
    static string Sgd(SequenceStudyOptions o) => FormattableString.Invariant($"sgd lr={o.LearningRate:R}");

    /// <summary>A network's config: the study's options (threads left out), the seed, the data and what the network depends on.</summary>
    static Dictionary<string, string> Config(SequenceStudyOptions o, SequenceData data, int seed, (string Key, string Value)[] extra)
    {
        var config = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["options"] = JsonSerializer.Serialize(o with { Threads = 1 }, Json),
            ["seed"] = seed.ToString(CultureInfo.InvariantCulture),
            ["data"] = data.Fingerprint,
        };
        foreach (var (k, v) in extra) config[k] = v;
        return config;
    }

    static int[] Pick(int[] values, int[] indices)
    {
        var picked = new int[indices.Length];
        for (int k = 0; k < indices.Length; k++) picked[k] = values[indices[k]];
        return picked;
    }

    /// <summary>The one-hot sequence [n; 2; 10] of the digit pairs (first[i], second[i]) of <paramref name="indices"/>.</summary>
    static Tensor OneHot(int[] first, int[] second, int[] indices)
    {
        var v = new float[indices.Length * 20];
        for (int k = 0; k < indices.Length; k++)
        {
            v[k * 20 + first[indices[k]]] = 1f;
            v[k * 20 + 10 + second[indices[k]]] = 1f;
        }
        return Tensor.Wrap(v, [indices.Length, 2, 10]);
    }
}
