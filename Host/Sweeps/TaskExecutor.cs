using InitLab.Store;

namespace InitLab.Sweeps;

/// <summary>Options of running one task in this process.</summary>
/// <param name="Threads">Kernel threads.</param>
/// <param name="DataRoot">Data root (null: INITLAB_DATA, cache, download).</param>
/// <param name="Quiet">No progress display.</param>
public sealed record TaskRunOptions(int Threads = 1, string? DataRoot = null, bool Quiet = true);

/// <summary>
/// Runs one task idempotently: skipped when a finished run with its config hash exists, continued
/// (same run row, from its checkpoint) when an earlier attempt was interrupted, else trained afresh.
/// A per-task lock keeps two processes from training the same task at once.
/// </summary>
public static class TaskExecutor
{
    /// <summary>Metric recording the iteration an interrupted task continued from.</summary>
    public const string ResumedFromMetric = "sweep/resumed_from";

    /// <summary>Path of task <paramref name="index"/>'s checkpoint.</summary>
    public static string CheckpointOf(SweepManifest manifest, int index) =>
        Path.Combine(manifest.WorkDirectory, "checkpoints", $"task-{index:D5}-{manifest.Task(index).ConfigHash[..12]}.safetensors");

    /// <summary>Runs task <paramref name="index"/> of <paramref name="manifest"/> against <paramref name="store"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The index is out of range.</exception>
    public static TaskOutcome Run(SweepManifest manifest, int index, ISweepStore store, TaskRunOptions options)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(options);
        var task = manifest.Task(index);
        using var taskLock = TaskLock.TryAcquire(TaskLock.PathOf(manifest, index));
        if (taskLock is null)
            return new TaskOutcome(index, TaskOutcomeKind.Busy, null, 0, $"task {index} ({task.RunName}) is being trained by another process");

        var runs = store.FindRuns(manifest.Study, task.ConfigHash);
        if (runs.LastOrDefault(r => r.Status == RunStatus.Finished) is { } done)
            return new TaskOutcome(index, TaskOutcomeKind.Skipped, done.Id, 0, $"task {index} ({task.RunName}) is done: run {done.Id}");

        // the lock is ours, so a "running" row is an attempt whose process died: continue the newest
        var interrupted = runs.Where(r => r.Status == RunStatus.Running).ToList();
        var prepared = TaskRunner.Prepare(task, options.DataRoot); // bad data fails before anything is recorded
        var checkpoint = CheckpointOf(manifest, index);
        long id;
        if (interrupted.Count > 0)
        {
            id = interrupted[^1].Id;
            foreach (var stale in interrupted.Take(interrupted.Count - 1))
                store.Runs.FinishRun(stale.Id, RunStatus.Stopped, $"interrupted; superseded by run {id}");
        }
        else
        {
            // an earlier failed attempt's checkpoint is not continued: a new attempt starts clean
            if (File.Exists(checkpoint)) File.Delete(checkpoint);
            id = store.Runs.StartRun(new RunInfo(manifest.Study, task.RunName, ConfigHash.CanonicalJsonOf(task.Config), task.Config.Seed,
                prepared.DataFingerprint, TaskRunner.CodeVersion()));
        }
        try
        {
            var outcome = TaskRunner.Train(prepared, store.Runs, id, checkpoint, options.Threads, options.Quiet, PausePoint.FromEnvironment());
            var points = new List<MetricPoint>
            {
                new(outcome.Iterations, "run/seconds", outcome.Seconds),
                new(outcome.Iterations, "run/images_per_second", outcome.ImagesPerSecond),
            };
            if (outcome.ResumedFrom > 0) points.Add(new MetricPoint(outcome.ResumedFrom, ResumedFromMetric, outcome.ResumedFrom));
            store.Runs.LogMetrics(id, points);
            store.Runs.AddArtifact(id, "checkpoint", checkpoint);
            store.Runs.FinishRun(id, RunStatus.Finished);
            var kind = outcome.ResumedFrom > 0 ? TaskOutcomeKind.Resumed : TaskOutcomeKind.Trained;
            return new TaskOutcome(index, kind, id, outcome.ResumedFrom,
                $"task {index} ({task.RunName}) {(kind == TaskOutcomeKind.Resumed ? $"resumed from iteration {outcome.ResumedFrom} and " : "")}finished as run {id}"
                + (outcome.TestAccuracy is { } a ? $", test accuracy {a:P2}" : ""));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            store.Runs.FinishRun(id, RunStatus.Failed, e.Message);
            return new TaskOutcome(index, TaskOutcomeKind.Failed, id, 0, $"task {index} ({task.RunName}) failed as run {id}: {e.Message}");
        }
    }
}
