using System.Text.Json;
using System.Text.Json.Nodes;
using InitLab.Store;
using InitLab.Sweeps;

namespace InitLab.Studies.Sequence;

/// <summary>
/// The sweep task kind "paper003-seed": one seed of paper 003's study (<see cref="SequenceSeed.Run"/>: both CNNs, the
/// LSTM on their predictions, model-2), trained in a worker process. A seed, not a single network, is the task: the
/// LSTM needs both CNNs' predictions, so the seed is the smallest unit with no dependency on another task, and the
/// four networks share one data load. Each network is still its own run (resumed from its last epoch when a task
/// was cut short). Found by <see cref="SweepTaskKinds"/> by its name.
/// </summary>
public sealed class SequenceSeedTaskKind : ISweepTaskKind
{
    /// <summary>The kind's name in task configs.</summary>
    public const string KindName = "paper003-seed";

    static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    /// <inheritdoc/>
    public string Name => KindName;

    /// <summary>The task config of seed <paramref name="seed"/> under <paramref name="options"/> (threads left out: they do not change results' identity).</summary>
    public static TaskConfig Config(int seed, SequenceStudyOptions options, bool synthetic) => new()
    {
        Kind = KindName,
        Seed = seed,
        Arm = new JsonObject
        {
            ["options"] = JsonSerializer.SerializeToNode(options with { Threads = 1 }, Json),
            ["synthetic"] = synthetic,
        },
    };

    /// <summary>The options a config holds and whether it trains on synthetic digits.</summary>
    public static (SequenceStudyOptions Options, bool Synthetic) Read(TaskConfig config, string where)
    {
        ArgumentNullException.ThrowIfNull(config);
        try
        {
            var node = config.Arm ?? throw new ArgumentException($"{where}: a {KindName} task needs \"arm\"");
            var options = node["options"].Deserialize<SequenceStudyOptions>(Json) ?? throw new ArgumentException($"{where}: no arm.options");
            return (options, (bool?)node["synthetic"] ?? false);
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"{where}: the {KindName} arm is malformed ({e.Message})", e);
        }
    }

    /// <inheritdoc/>
    public void Validate(TaskConfig config, string where)
    {
        var (options, _) = Read(config, where);
        try
        {
            options.Validate();
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"{where}: {e.Message}", e);
        }
    }

    /// <inheritdoc/>
    public IPreparedSweepTask Prepare(SweepTask task, TaskRunOptions options)
    {
        var (study, synthetic) = Read(task.Config, $"task {task.Index}");
        return new Prepared(task.Config.Seed, study.WithThreads(options.Threads), SequenceData.Load(study, options.DataRoot, synthetic));
    }

    /// <summary>Where a worker keeps the networks' checkpoints: beside a SQLite store (as the study script does), else in the sweep's work folder.</summary>
    public static string CheckpointDirectory(RunStore store, string taskCheckpoint) =>
        RunStore.IsPostgresLocation(store.Path)
            ? Path.Combine(Path.GetDirectoryName(Path.GetFullPath(taskCheckpoint))!, "sequence")
            : Path.Combine(Path.GetDirectoryName(Path.GetFullPath(store.Path))!, "checkpoints");

    sealed class Prepared(int seed, SequenceStudyOptions options, SequenceData data) : IPreparedSweepTask
    {
        public string DataFingerprint => data.Fingerprint + "+" + data.Test.Pairs.Fingerprint;

        public TaskRunner.Outcome Train(RunStore store, long runId, string checkpoint, TaskRunOptions run, PausePoint? pause)
        {
            // the networks' runs (study seq003) are what the study reads back; this task's run keeps the seed's summary
            using var runs = new SequenceRuns(store, CheckpointDirectory(store, checkpoint));
            var r = SequenceSeed.Run(seed, data, options, runs, run.Quiet ? null : Console.WriteLine);
            store.LogMetrics(runId, [
                new MetricPoint(0, "seed/cnn1_accuracy", r.Cnn1Accuracy),
                new MetricPoint(0, "seed/cnn2_accuracy", r.Cnn2Accuracy),
                new MetricPoint(0, "seed/lstm_accuracy", r.LstmAccuracy),
                new MetricPoint(0, "seed/model2_accuracy", r.Model2Accuracy),
                new MetricPoint(0, "seed/networks_trained", r.Trained.Count(t => !t.Reused)),
            ]);
            var examples = r.Trained.Where(t => !t.Reused).Sum(t => t.ExamplesPerSecond * t.Seconds);
            return new TaskRunner.Outcome(0, options.Epochs, null, r.Model2Accuracy, r.TrainSeconds, examples / Math.Max(r.TrainSeconds, 1e-9));
        }
    }
}
