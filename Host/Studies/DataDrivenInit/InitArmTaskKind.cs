using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using InitLab.Data;
using InitLab.Store;
using InitLab.Sweeps;

namespace InitLab.Studies;

/// <summary>
/// The sweep task kind "paper001-arm": one <see cref="InitArm"/> with its <see cref="InitArmOptions"/>, trained by
/// <see cref="InitArmTraining"/> in a worker process. Found by <see cref="SweepTaskKinds"/> by its name.
/// </summary>
public sealed class InitArmTaskKind : ISweepTaskKind
{
    /// <summary>The kind's name in task configs.</summary>
    public const string KindName = "paper001-arm";

    static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    /// <inheritdoc/>
    public string Name => KindName;

    /// <summary>The task config of <paramref name="arm"/>: kind, the arm and its options (threads left out: they do not change results' identity).</summary>
    public static TaskConfig Config(InitArm arm, InitArmOptions options, bool synthetic) => new()
    {
        Kind = KindName,
        Seed = arm.Seed,
        Arm = new JsonObject
        {
            ["arm"] = JsonSerializer.SerializeToNode(arm with { Seed = 0 }, Json),
            ["options"] = JsonSerializer.SerializeToNode(options with { Threads = 1 }, Json),
            ["synthetic"] = synthetic,
        },
    };

    /// <summary>The arm and options a config holds (the seed is the task's).</summary>
    public static (InitArm Arm, InitArmOptions Options, bool Synthetic) Read(TaskConfig config, string where)
    {
        try
        {
            var node = config.Arm ?? throw new ArgumentException($"{where}: a {KindName} task needs \"arm\"");
            var arm = node["arm"].Deserialize<InitArm>(Json) ?? throw new ArgumentException($"{where}: no arm.arm");
            var options = node["options"].Deserialize<InitArmOptions>(Json) ?? throw new ArgumentException($"{where}: no arm.options");
            return (arm with { Seed = config.Seed }, options, (bool?)node["synthetic"] ?? false);
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"{where}: the {KindName} arm is malformed ({e.Message})", e);
        }
    }

    /// <inheritdoc/>
    public void Validate(TaskConfig config, string where)
    {
        var (arm, options, _) = Read(config, where);
        options.Validate();
        if (!(arm.Delta >= 0 && arm.Delta <= 1)) throw new ArgumentException($"{where}: delta must lie in [0, 1], got {arm.Delta.ToString(CultureInfo.InvariantCulture)}");
        if (!(arm.SubsetPercent > 0 && arm.SubsetPercent <= 100)) throw new ArgumentException($"{where}: subset must lie in (0, 100] %, got {arm.SubsetPercent.ToString(CultureInfo.InvariantCulture)}");
    }

    /// <inheritdoc/>
    public IPreparedSweepTask Prepare(SweepTask task, TaskRunOptions options)
    {
        var (arm, armOptions, synthetic) = Read(task.Config, $"task {task.Index}");
        var (train, test) = Load(arm.DataSet, synthetic, options.DataRoot);
        return new Prepared(arm, armOptions with { Threads = options.Threads }, train, test);
    }

    /// <summary>The data sets exp_init names: mnist, cifar-10-grey, cifar-100-grey (or its synthetic stand-in).</summary>
    static (DataSet Train, DataSet Test) Load(string name, bool synthetic, string? dataRoot)
    {
        if (synthetic) return (SyntheticDigits.Generate(6000, 1), SyntheticDigits.Generate(1000, 2));
        string set = name switch
        {
            "mnist" => "mnist",
            "cifar-10-grey" => "cifar-10",
            "cifar-100-grey" => "cifar-100-grey",
            _ => throw new ArgumentException($"data set '{name}' is not one of mnist, cifar-10-grey, cifar-100-grey"),
        };
        var root = DataRoot.Resolve(new DataRootOptions { ExplicitRoot = dataRoot, DataSets = [set], Warnings = Console.Error }).Root
                   ?? throw new ArgumentException($"no data root holds {set}; pass --data-root DIR or set INITLAB_DATA");
        switch (name)
        {
            case "mnist":
                var m = Mnist.Load(root);
                return (m.Train, m.Test);
            case "cifar-10-grey":
                var c = Cifar10.Load(root);
                return (PixelTransforms.Greyscale(c.Train), PixelTransforms.Greyscale(c.Test));
            default:
                var g = Cifar100Grey.Load(root);
                return (g.Train, g.Test);
        }
    }

    sealed class Prepared(InitArm arm, InitArmOptions options, DataSet train, DataSet test) : IPreparedSweepTask
    {
        public string DataFingerprint => train.Fingerprint + "+" + test.Fingerprint;

        public TaskRunner.Outcome Train(RunStore store, long runId, string checkpoint, TaskRunOptions run, PausePoint? pause)
        {
            // the arm's result run (study paper001-init) is what the study reads back; this task's run keeps the summary
            using var training = new InitArmTraining(store.Path);
            var r = training.RunOrReuse(arm, train, test, options);
            store.LogMetrics(runId, [
                new MetricPoint(0, "arm/score_q3", r.Score),
                new MetricPoint(0, "arm/converged_epoch", r.ConvergedEpoch ?? -1),
                new MetricPoint(0, "arm/epochs", r.Epochs.Count),
            ]);
            return new TaskRunner.Outcome(0, r.Epochs.Count, null, r.Score, r.TrainSeconds, r.ImagesPerSecond);
        }
    }
}
