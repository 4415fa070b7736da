using InitLab.Store;

namespace InitLab.Sweeps;

/// <summary>Options of running one task in this process.</summary>
/// <param name="Threads">Kernel threads.</param>
/// <param name="DataRoot">Data root (null: INITLAB_DATA, cache, download).</param>
/// <param name="Quiet">No progress display.</param>
public sealed record TaskRunOptions(int Threads = 1, string? DataRoot = null, bool Quiet = true);

/// <summary>
/// Runs one task idempotently through <see cref="RunStore.BeginTask"/>, atomic across processes and machines:
/// skipped when a finished run with its config hash exists, busy when a live process runs it, continued
/// (same run row, from its checkpoint) when an earlier attempt was interrupted (killed: its process is gone),
/// restarted clean on the same row when it failed or was stopped, else trained afresh.
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
    public static TaskOutcome Run(SweepManifest manifest, int index, RunStore store, TaskRunOptions options)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(options);
        var task = manifest.Task(index);
        // a done task is answered from one indexed lookup, before any data is loaded
        if (store.FindFinishedRunByConfigHash(task.ConfigHash) is { } finished)
            return Skipped(task, finished);
        var kind = SweepTaskKinds.Find(task.Config.Kind);
        // bad data fails here, before anything is recorded
        var prepared = kind is null ? TaskRunner.Prepare(task, options.DataRoot) : null;
        var preparedOther = kind?.Prepare(task, options);
        var start = store.BeginTask(new RunInfo(manifest.Study, task.RunName, ConfigHash.CanonicalJsonOf(task.Config), task.Config.Seed,
            prepared?.DataFingerprint ?? preparedOther!.DataFingerprint, TaskRunner.CodeVersion()));
        if (start.Outcome == TaskStartOutcome.AlreadyFinished) return Skipped(task, start.Run);
        if (start.Outcome == TaskStartOutcome.Busy)
            return new TaskOutcome(index, TaskOutcomeKind.Busy, start.Run.Id, 0,
                $"task {index} ({task.RunName}) is being trained as run {start.Run.Id} by process {start.Run.Owner?.Pid} on {start.Run.Owner?.Host}");
        long id = start.Run.Id;
        var checkpoint = CheckpointOf(manifest, index);
        // only an interrupted attempt is continued; a failed or stopped one (or a fresh row over a stale file) starts clean
        if (start.PreviousStatus != RunStatus.Interrupted && File.Exists(checkpoint)) File.Delete(checkpoint);
        try
        {
            TaskRunner.Outcome outcome;
            // heartbeats keep a run that logs rarely from being taken for dead by other hosts
            using (store.KeepAlive(id))
                outcome = prepared is not null
                    ? TaskRunner.Train(prepared, store, id, checkpoint, options.Threads, options.Quiet, PausePoint.FromEnvironment())
                    : preparedOther!.Train(store, id, checkpoint, options, PausePoint.FromEnvironment());
            var points = new List<MetricPoint>
            {
                new(outcome.Iterations, "run/seconds", outcome.Seconds),
                new(outcome.Iterations, "run/images_per_second", outcome.ImagesPerSecond),
            };
            if (outcome.ResumedFrom > 0) points.Add(new MetricPoint(outcome.ResumedFrom, ResumedFromMetric, outcome.ResumedFrom));
            store.LogMetrics(id, points);
            if (File.Exists(checkpoint)) store.AddArtifact(id, "checkpoint", checkpoint); // kinds without checkpoints write none
            store.FinishRun(id, RunStatus.Finished);
            var how = outcome.ResumedFrom > 0 ? TaskOutcomeKind.Resumed : TaskOutcomeKind.Trained;
            return new TaskOutcome(index, how, id, outcome.ResumedFrom,
                $"task {index} ({task.RunName}) {(how == TaskOutcomeKind.Resumed ? $"resumed from iteration {outcome.ResumedFrom} and " : "")}finished as run {id}"
                + (outcome.TestAccuracy is { } a ? $", test accuracy {a:P2}" : ""));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            store.FinishRun(id, RunStatus.Failed, e.Message);
            return new TaskOutcome(index, TaskOutcomeKind.Failed, id, 0, $"task {index} ({task.RunName}) failed as run {id}: {e.Message}");
        }
    }

    static TaskOutcome Skipped(SweepTask task, RunRecord done) =>
        new(task.Index, TaskOutcomeKind.Skipped, done.Id, 0, $"task {task.Index} ({task.RunName}) is done: run {done.Id}");
}
