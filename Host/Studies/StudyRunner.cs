using System.Security.Cryptography;
using InitLab.Data;
using InitLab.Kernel;
using InitLab.Kernel.Nn;
using InitLab.Store;
using InitLab.Training;

namespace InitLab.Studies;

/// <summary>
/// Trains the arms of a study into one run store, reusing finished runs: a rerun of a study only
/// trains what changed. Checkpoints live beside the store and are verified by SHA-256 before reuse.
/// </summary>
public sealed class StudyRunner : IDisposable
{
    /// <summary>The run store.</summary>
    public RunStore Store { get; }

    /// <summary>Folder of checkpoints.</summary>
    public string CheckpointDirectory { get; }

    /// <summary>
    /// Train nothing (a study's <c>--report-only</c>): <see cref="TrainOrReuse(ArmSpec, Module, DataSet, DataSet?)"/>
    /// throws for an arm without a reusable finished run instead of training it.
    /// </summary>
    public bool ReuseOnly { get; init; }

    /// <summary>Opens (or creates) the store at <paramref name="storePath"/>.</summary>
    public StudyRunner(string storePath)
    {
        var full = Path.GetFullPath(storePath);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        Store = RunStore.Open(full);
        CheckpointDirectory = Path.Combine(Path.GetDirectoryName(full)!, "checkpoints");
        Directory.CreateDirectory(CheckpointDirectory);
    }

    /// <summary>
    /// Trains <paramref name="model"/> as <paramref name="arm"/> says, or returns the finished run
    /// with the same configuration (loading its final weights into <paramref name="model"/>).
    /// </summary>
    /// <exception cref="InvalidOperationException"><see cref="ReuseOnly"/> and the arm has no reusable finished run.</exception>
    public ArmResult TrainOrReuse(ArmSpec arm, Module model, DataSet train, DataSet? test)
    {
        var initial = model.SaveParameters();
        var found = Store.FindFinishedRun(arm.Study, arm.Name, arm.ConfigJson);
        if (found is not null && TryReuse(found, model, initial, out var reused)) return reused!;
        if (ReuseOnly)
            throw new InvalidOperationException($"arm {arm.Name} of study {arm.Study} has no reusable finished run in {Store.Path} "
                + (found is null ? "(none with its config)" : $"(run {found.Id}'s checkpoints are missing, altered or start elsewhere)") + "; reuse only, so nothing is trained");

        string safe = string.Concat((arm.Study + "-" + arm.Name).Select(c => char.IsLetterOrDigit(c) || c == '-' ? c : '_'));
        // an earlier attempt of this arm that failed or was interrupted is retrained in its own row
        long run = ReopenUnfinished(arm) ?? Store.StartRun(new RunInfo(arm.Study, arm.Name, arm.ConfigJson, arm.Seed,
            DataFingerprint: train.Fingerprint + (test is null ? "" : "+" + test.Fingerprint),
            CodeVersion: CodeVersion()));
        var checkpoint = Path.Combine(CheckpointDirectory, $"{safe}-run{run}.safetensors");
        var initialPath = Path.Combine(CheckpointDirectory, $"{safe}-run{run}-initial.safetensors");
        Checkpoint.Save(initialPath, new CheckpointData(0, initial, [], []));
        var options = arm.Options with { CheckpointPath = checkpoint, Resume = false, Label = arm.Name };
        try
        {
            var trainer = new Trainer(model, arm.OptimizerSpec, options);
            TrainingResult result;
            using (Store.KeepAlive(run))
                result = trainer.Run(train, test, Store, run);
            Store.AddArtifact(run, "initial", initialPath, Sha256(initialPath));
            Store.AddArtifact(run, "checkpoint", checkpoint, Sha256(checkpoint));
            Store.LogMetrics(run, [new MetricPoint(options.Iterations, "run/seconds", result.Seconds),
                                   new MetricPoint(options.Iterations, "run/images_per_second", result.ImagesPerSecond)]);
            Store.FinishRun(run, RunStatus.Finished);
            return new ArmResult(run, false, result.Losses, result.Evaluations, initial, model.SaveParameters(),
                result.Seconds, result.ImagesPerSecond);
        }
        catch (OperationCanceledException)
        {
            Store.FinishRun(run, RunStatus.Interrupted, "interrupted: training was cancelled");
            throw;
        }
        catch (Exception e)
        {
            Store.FinishRun(run, RunStatus.Failed, e.Message);
            throw;
        }
    }

    /// <summary>
    /// Trains <paramref name="model"/> as arm <paramref name="armName"/> of <paramref name="study"/> (config,
    /// solver and options generated from the record, see <see cref="StudyConfig.Arm"/>), or reuses its finished run.
    /// </summary>
    public ArmResult TrainOrReuse(StudyConfig study, string armName, int seed, Module model, DataSet train, DataSet? test)
    {
        ArgumentNullException.ThrowIfNull(study);
        return TrainOrReuse(study.Arm(armName, seed, train, test), model, train, test);
    }

    /// The latest failed or interrupted run of this very arm (study, name, config), reopened; null when there is none.
    long? ReopenUnfinished(ArmSpec arm)
    {
        var r = Store.FindResumableRunByConfigHash(RunStore.ConfigHash(arm.ConfigJson));
        if (r is null || r.Status == RunStatus.Running || r.Study != arm.Study || r.Name != arm.Name) return null;
        try
        {
            return Store.ReopenRun(r.Id).Id;
        }
        catch (InvalidOperationException)
        {
            return null; // taken meanwhile by another process: this one starts its own
        }
    }

    bool TryReuse(RunRecord found, Module model, StateBuffer[] initial, out ArmResult? result)
    {
        result = null;
        var artifacts = Store.GetArtifacts(found.Id);
        var ckpt = artifacts.LastOrDefault(a => a.Kind == "checkpoint");
        var init = artifacts.LastOrDefault(a => a.Kind == "initial");
        if (ckpt is null || init is null || !File.Exists(ckpt.Path) || !File.Exists(init.Path)
            || Sha256(ckpt.Path) != ckpt.Sha256 || Sha256(init.Path) != init.Sha256)
            return false;
        // the stored initial weights must be the ones this arm starts from, bit for bit
        var savedInitial = Checkpoint.Load(init.Path).Parameters;
        if (!savedInitial.SequenceEqual(initial)) return false;
        var data = Checkpoint.Load(ckpt.Path);
        KernelState.LoadParameters(model, data.Parameters, ckpt.Path);
        var metrics = Store.GetMetrics(found.Id);
        var losses = metrics.Where(m => m.Name == Trainer.Metrics.TrainLoss).OrderBy(m => m.Step).Select(m => m.Value).ToList();
        var acc = metrics.Where(m => m.Name == Trainer.Metrics.TestAccuracy).ToDictionary(m => m.Step, m => m.Value);
        var evals = metrics.Where(m => m.Name == Trainer.Metrics.TestLoss).OrderBy(m => m.Step)
            .Select(m => new Evaluation((int)m.Step, m.Value, acc.GetValueOrDefault(m.Step, double.NaN), 0)).ToList();
        double Get(string name) => metrics.LastOrDefault(m => m.Name == name).Value;
        result = new ArmResult(found.Id, true, losses, evals, initial, data.Parameters, Get("run/seconds"), Get("run/images_per_second"));
        return true;
    }

    static string Sha256(string path)
    {
        using var f = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(f));
    }

    /// <summary>Identifies the code that trained a run: the Kernel and Host assembly versions and build ids.</summary>
    public static string CodeVersion() =>
        $"kernel {typeof(Module).Assembly.ManifestModule.ModuleVersionId:N}; host {typeof(StudyRunner).Assembly.ManifestModule.ModuleVersionId:N}";

    /// <inheritdoc />
    public void Dispose() => Store.Dispose();
}
