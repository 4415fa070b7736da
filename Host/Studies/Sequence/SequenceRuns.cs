using System.Security.Cryptography;
using System.Text;
using InitLab.Kernel.Nn;
using InitLab.Store;
using InitLab.Training;

namespace InitLab.Studies.Sequence;

/// <summary>One network of the sequence study to train or reuse.</summary>
/// <param name="Study">Study name in the run store.</param>
/// <param name="Name">Arm name, e.g. "model1-cnn1-seed3".</param>
/// <param name="ConfigJson">Everything that determines the result; a finished run with the same study, name and config is reused.</param>
/// <param name="Seed">Seed recorded with the run.</param>
/// <param name="DataFingerprint">Fingerprint of the data it trains on.</param>
public sealed record SequenceArm(string Study, string Name, string ConfigJson, long Seed, string DataFingerprint);

/// <summary>A trained network of the study, fresh or reused.</summary>
/// <param name="RunId">Its run in the store.</param>
/// <param name="Reused">True when a finished run was found and nothing was trained.</param>
/// <param name="Epochs">Per-epoch loss and validation evaluation.</param>
/// <param name="Seconds">Training wall time (of the original run when reused).</param>
/// <param name="ExamplesPerSecond">Training throughput (of the original run when reused).</param>
public sealed record SequenceArmResult(long RunId, bool Reused, IReadOnlyList<TrainingEpoch> Epochs, double Seconds, double ExamplesPerSecond);

/// <summary>
/// The run store of the sequence study: a finished arm is reused (its final weights loaded, checked by
/// SHA-256); an unfinished one resumes from its last epoch checkpoint, kept under a name fixed by its config.
/// </summary>
public sealed class SequenceRuns : IDisposable
{
    /// <summary>Metric names written per epoch (step = epoch).</summary>
    public const string TrainLoss = "train/loss", ValidationAccuracy = "val/accuracy", EpochSeconds = "train/epoch_seconds",
        ValidationLoss = "val/loss", ValidationCount = "val/count", EpochIteration = "train/iteration";

    readonly bool ownsStore;

    /// <summary>The run store.</summary>
    public RunStore Store { get; }

    /// <summary>Folder of checkpoints.</summary>
    public string CheckpointDirectory { get; }

    /// <summary>Train nothing: an arm without a finished, readable run is an error (a report built after a sweep).</summary>
    public bool ReuseOnly { get; init; }

    /// <summary>Opens (or creates) the store at <paramref name="storePath"/>; checkpoints go beside it.</summary>
    public SequenceRuns(string storePath)
        : this(RunStore.Open(PrepareFolder(storePath)), Path.Combine(Path.GetDirectoryName(Path.GetFullPath(storePath))!, "checkpoints"), owns: true) { }

    /// <summary>Uses an open <paramref name="store"/> (not disposed with this), checkpoints in <paramref name="checkpointDirectory"/>.</summary>
    public SequenceRuns(RunStore store, string checkpointDirectory) : this(store, checkpointDirectory, owns: false) { }

    SequenceRuns(RunStore store, string checkpointDirectory, bool owns)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentException.ThrowIfNullOrWhiteSpace(checkpointDirectory);
        Store = store;
        ownsStore = owns;
        CheckpointDirectory = Path.GetFullPath(checkpointDirectory);
        Directory.CreateDirectory(CheckpointDirectory);
    }

    static string PrepareFolder(string storePath)
    {
        var full = Path.GetFullPath(storePath);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        return full;
    }

    /// <summary>
    /// Loads the finished run of <paramref name="arm"/> into <paramref name="model"/>, or trains it:
    /// <paramref name="train"/> gets the epoch checkpoint path to pass as <see cref="TrainingOptions.CheckpointPath"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException"><see cref="ReuseOnly"/> and the arm has no finished run whose checkpoint can be read.</exception>
    public SequenceArmResult TrainOrReuse(SequenceArm arm, Module model, Func<string, TrainingResult> train)
    {
        ArgumentNullException.ThrowIfNull(arm);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(train);
        var found = Store.FindFinishedRun(arm.Study, arm.Name, arm.ConfigJson);
        if (found is not null && TryReuse(found, model) is { } reused) return reused;
        if (ReuseOnly)
            throw new InvalidOperationException($"{arm.Study} {arm.Name}: "
                + (found is null ? "no finished run" : $"run {found.Id} is finished but its checkpoint is missing or changed")
                + $" in {Store.Path}; a report-only run trains nothing");

        string safe = string.Concat((arm.Study + "-" + arm.Name).Select(c => char.IsLetterOrDigit(c) || c == '-' ? c : '_'));
        string configHash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(arm.ConfigJson)))[..12];
        var partial = Path.Combine(CheckpointDirectory, $"{safe}-{configHash}.partial.safetensors");
        long run = Store.StartRun(new RunInfo(arm.Study, arm.Name, arm.ConfigJson, arm.Seed, arm.DataFingerprint, StudyRunner.CodeVersion()));
        try
        {
            TrainingResult result;
            using (Store.KeepAlive(run)) result = train(partial); // heartbeats: a long epoch is not taken for a dead process
            var final = Path.Combine(CheckpointDirectory, $"{safe}-run{run}.safetensors");
            Checkpoint.Save(final, new CheckpointData(result.Epochs.Count, model.SaveParameters(), [], []));
            Store.AddArtifact(run, "checkpoint", final, Sha256(final));
            Store.LogMetrics(run, result.Epochs.SelectMany(e => new[]
            {
                new MetricPoint(e.Epoch, TrainLoss, e.TrainLoss),
                new MetricPoint(e.Epoch, EpochSeconds, e.Seconds),
                new MetricPoint(e.Epoch, EpochIteration, e.Iteration),
            }.Concat(e.Evaluation is { } v
                ? [new MetricPoint(e.Epoch, ValidationAccuracy, v.Accuracy), new MetricPoint(e.Epoch, ValidationLoss, v.Loss), new MetricPoint(e.Epoch, ValidationCount, v.Count)]
                : [])));
            Store.LogMetrics(run, [new MetricPoint(result.Epochs.Count, "run/seconds", result.Seconds),
                                   new MetricPoint(result.Epochs.Count, "run/examples_per_second", result.ImagesPerSecond)]);
            Store.FinishRun(run, RunStatus.Finished);
            File.Delete(partial);
            return new SequenceArmResult(run, false, result.Epochs, result.Seconds, result.ImagesPerSecond);
        }
        catch (Exception e)
        {
            Store.FinishRun(run, RunStatus.Failed, e.Message);
            throw;
        }
    }

    SequenceArmResult? TryReuse(RunRecord found, Module model)
    {
        var ckpt = Store.GetArtifacts(found.Id).LastOrDefault(a => a.Kind == "checkpoint");
        if (ckpt is null || !File.Exists(ckpt.Path) || Sha256(ckpt.Path) != ckpt.Sha256) return null;
        KernelState.LoadParameters(model, Checkpoint.Load(ckpt.Path).Parameters, ckpt.Path);
        var metrics = Store.GetMetrics(found.Id);
        Dictionary<long, double> Series(string name) => metrics.Where(m => m.Name == name).ToDictionary(m => m.Step, m => m.Value);
        var acc = Series(ValidationAccuracy);
        var loss = Series(ValidationLoss);
        var count = Series(ValidationCount);
        var secs = Series(EpochSeconds);
        var its = Series(EpochIteration);
        var epochs = new List<TrainingEpoch>();
        int previous = 0;
        foreach (var m in metrics.Where(m => m.Name == TrainLoss).OrderBy(m => m.Step))
        {
            int iteration = its.TryGetValue(m.Step, out var i) ? (int)i : 0;
            epochs.Add(new TrainingEpoch((int)m.Step, iteration, iteration - previous, m.Value, secs.GetValueOrDefault(m.Step, double.NaN))
            {
                Evaluation = acc.TryGetValue(m.Step, out var a)
                    ? new Evaluation(iteration, loss.GetValueOrDefault(m.Step, double.NaN), a, (int)count.GetValueOrDefault(m.Step, 0))
                    : null,
            });
            previous = iteration;
        }
        double Get(string name) => metrics.Where(m => m.Name == name).Select(m => m.Value).DefaultIfEmpty(double.NaN).Last();
        return new SequenceArmResult(found.Id, true, epochs, Get("run/seconds"), Get("run/examples_per_second"));
    }

    static string Sha256(string path)
    {
        using var f = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(f));
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (ownsStore) Store.Dispose();
    }
}
