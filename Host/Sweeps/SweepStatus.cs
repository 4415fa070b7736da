using InitLab.Store;

namespace InitLab.Sweeps;

/// <summary>State of one task as the store (and the task lock) tell it.</summary>
public enum TaskState
{
    /// <summary>A finished run with the task's config hash exists.</summary>
    Done,
    /// <summary>A process holds the task's lock and its run is running.</summary>
    Running,
    /// <summary>Its run is "running" but no process holds the lock: it was killed and will resume.</summary>
    Interrupted,
    /// <summary>Its last run failed.</summary>
    Failed,
    /// <summary>No run yet.</summary>
    Pending,
}

/// <summary>One row of <c>sweep status</c>.</summary>
/// <param name="Task">The task.</param>
/// <param name="State">Its state from the store.</param>
/// <param name="RunId">Its latest run, if any.</param>
/// <param name="Message">The latest run's message (the failure reason), if any.</param>
/// <param name="Scheduler">Slurm's state of the array task, where known.</param>
public sealed record TaskStatusRow(SweepTask Task, TaskState State, long? RunId, string? Message, string? Scheduler);

/// <summary>The state of every task of a sweep.</summary>
public static class SweepStatus
{
    /// <summary>One row per task, in index order.</summary>
    public static IReadOnlyList<TaskStatusRow> Of(SweepManifest manifest, ISweepStore store, IReadOnlyDictionary<int, string>? scheduler = null)
    {
        var byHash = store.RunsOf(manifest.Study).ToLookup(r => r.ConfigHash, r => r.Run);
        var rows = new List<TaskStatusRow>();
        foreach (var t in manifest.Tasks)
        {
            var runs = byHash[t.ConfigHash].ToList();
            var finished = runs.LastOrDefault(r => r.Status == RunStatus.Finished);
            var last = finished ?? runs.LastOrDefault();
            var state = finished is not null ? TaskState.Done
                : last is null ? TaskState.Pending
                : last.Status == RunStatus.Running ? (TaskLock.IsHeld(TaskLock.PathOf(manifest, t.Index)) ? TaskState.Running : TaskState.Interrupted)
                : TaskState.Failed;
            rows.Add(new TaskStatusRow(t, state, last?.Id, last?.Message, scheduler?.GetValueOrDefault(t.Index)));
        }
        return rows;
    }
}
