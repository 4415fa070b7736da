using System.Text.Json;
using System.Text.Json.Nodes;
using InitLab.Data;
using InitLab.Store;
using InitLab.Sweeps;

namespace InitLab.Studies;

/// <summary>
/// The sweep task kind "paper000-arm": one <see cref="LeNetArm"/> of a paper-000 <see cref="StudyConfig"/>, trained in a
/// worker process by <see cref="StudyRunner.TrainOrReuse(StudyConfig, string, int, Kernel.Nn.Module, DataSet, DataSet?)"/>
/// into the store exactly as scripts/exp_lenet.fsx trains it, so the script then reuses it. The study's thread count is
/// part of the arm's config (results are bit-identical per count), so the arm trains with it, whatever the worker's.
/// The store must be a SQLite file: the arm's checkpoints live beside it.
/// </summary>
public sealed class LeNetArmTaskKind : ISweepTaskKind
{
    /// <summary>The kind's name in task configs.</summary>
    public const string KindName = "paper000-arm";

    /// <inheritdoc/>
    public string Name => KindName;

    /// <summary>
    /// The task config of <paramref name="arm"/>: the study with only the arm's seed (so adding a seed leaves other
    /// tasks' hashes alone), the arm, and whether the script ran on synthetic digits (its workers then do too).
    /// </summary>
    public static TaskConfig Config(StudyConfig study, LeNetArm arm, bool synthetic)
    {
        ArgumentNullException.ThrowIfNull(study);
        ArgumentNullException.ThrowIfNull(arm);
        return new TaskConfig
        {
            Kind = KindName,
            Seed = arm.Seed,
            Arm = new JsonObject
            {
                ["study"] = JsonNode.Parse((study with { Seeds = [arm.Seed] }).ToJson()),
                ["arm"] = new JsonObject { ["name"] = arm.Name, ["set"] = arm.Set, ["k"] = arm.K },
                ["synthetic"] = synthetic,
            },
        };
    }

    /// <summary>Every arm of <paramref name="study"/> (<see cref="LeNetArm.Of"/>) as a sweep arm of one task.</summary>
    public static IReadOnlyList<SweepArm> Arms(StudyConfig study, bool synthetic) =>
        [.. LeNetArm.Of(study).Select(a => new SweepArm(a.Name, Config(study, a, synthetic), [a.Seed]))];

    /// <summary>The study, arm and synthetic flag a config holds (the seed is the task's).</summary>
    /// <exception cref="ArgumentException">A missing or malformed part, naming <paramref name="where"/>.</exception>
    public static (StudyConfig Study, LeNetArm Arm, bool Synthetic) Read(TaskConfig config, string where)
    {
        ArgumentNullException.ThrowIfNull(config);
        try
        {
            var node = config.Arm ?? throw new ArgumentException($"{where}: a {KindName} task needs \"arm\"");
            var study = StudyConfig.FromJson(node["study"]?.ToJsonString() ?? throw new ArgumentException($"{where}: no arm.study"));
            var a = node["arm"] as JsonObject ?? throw new ArgumentException($"{where}: no arm.arm");
            var arm = new LeNetArm((string?)a["name"] ?? "", (string?)a["set"] ?? "", (int?)a["k"] ?? 0, config.Seed);
            return (study, arm, (bool?)node["synthetic"] ?? false);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException or ArgumentException
                                  && !e.Message.StartsWith(where, StringComparison.Ordinal))
        {
            throw new ArgumentException($"{where}: the {KindName} arm is malformed ({e.Message})", e);
        }
    }

    /// <inheritdoc/>
    public void Validate(TaskConfig config, string where)
    {
        var (_, arm, _) = Read(config, where);
        if (string.IsNullOrWhiteSpace(arm.Name)) throw new ArgumentException($"{where}: arm.arm.name is empty");
        if (arm.Set is not (LeNetArm.Chars or LeNetArm.Mnist)) throw new ArgumentException($"{where}: arm.arm.set '{arm.Set}' is not one of {LeNetArm.Chars}, {LeNetArm.Mnist}");
        if (arm.K < 1) throw new ArgumentException($"{where}: arm.arm.k must be ≥ 1, got {arm.K}");
    }

    /// <inheritdoc/>
    public IPreparedSweepTask Prepare(SweepTask task, TaskRunOptions options)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(options);
        var (study, arm, synthetic) = Read(task.Config, $"task {task.Index}");
        var data = LeNetStudyData.Load(study, synthetic ? null : new DataRootOptions { ExplicitRoot = options.DataRoot, Warnings = Console.Error });
        // the script trained on real data, so synthetic stand-ins here would be other arms under the same names
        if (!synthetic && data.IsSynthetic)
            throw new ArgumentException($"task {task.Index}: no data root holds {string.Join(", ", study.Data.Sets)}; pass --data-root DIR or set INITLAB_DATA");
        var (train, test) = data.For(arm.Set);
        return new Prepared(study, arm, train, test);
    }

    sealed class Prepared(StudyConfig study, LeNetArm arm, DataSet train, DataSet test) : IPreparedSweepTask
    {
        public string DataFingerprint => train.Fingerprint + "+" + test.Fingerprint;

        public TaskRunner.Outcome Train(RunStore store, long runId, string checkpoint, TaskRunOptions run, PausePoint? pause)
        {
            if (SweepStores.IsConnectionString(store.Path))
                throw new InvalidOperationException($"{KindName} arms keep their checkpoints beside a SQLite store; {SweepStores.Mask(store.Path)} is a PostgreSQL server");
            // the arm's result run (the study's own name) is what the script reads back; this task's run keeps a summary
            using var runner = new StudyRunner(store.Path);
            var r = runner.TrainOrReuse(study, arm.Name, arm.Seed, study.Net.Create(arm.Seed), train, test);
            double? accuracy = r.Evaluations.Count > 0 ? r.Evaluations[^1].Accuracy : null;
            List<MetricPoint> summary = [new MetricPoint(0, "arm/run_id", r.RunId)];
            if (accuracy is { } a) summary.Add(new MetricPoint(0, "arm/test_accuracy", a));
            store.LogMetrics(runId, summary);
            return new TaskRunner.Outcome(0, study.Solver.MaxIter, r.Losses.Count > 0 ? r.Losses[^1] : null, accuracy, r.Seconds, r.ImagesPerSecond);
        }
    }
}
