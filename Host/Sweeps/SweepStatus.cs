using InitLab.Store;

namespace InitLab.Sweeps;

/// <summary>State of one task as the store tells it.</summary>
public enum TaskState
{
    /// <summary>A finished run with the task's config hash exists.</summary>
    Done,
    /// <summary>A live process runs it (on another host: one that sent a heartbeat recently).</summary>
    Running,
    /// <summary>Its run was cut short (killed, signalled, or silent too long); the next run resumes it.</summary>
    Interrupted,
    /// <summary>Its last run failed (or was stopped); the next run trains it again.</summary>
    Failed,
    /// <summary>No run yet.</summary>
    Pending,
}

/// <summary>One row of <c>sweep status</c>.</summary>
/// <param name="Task">The task.</param>
/// <param name="State">Its state from the store.</param>
/// <param name="RunId">The run that decides its state, if any.</param>
/// <param name="Message">That run's message (the failure reason), if any.</param>
/// <param name="Scheduler">Slurm's state of the array task, where known.</param>
public sealed record TaskStatusRow(SweepTask Task, TaskState State, long? RunId, string? Message, string? Scheduler);

/// <summary>The state of every task of a sweep.</summary>
public static class SweepStatus
{
    /// <summary>One row per task, in index order, from <see cref="RunStore.GetTaskRuns"/>.</summary>
    public static IReadOnlyList<TaskStatusRow> Of(SweepManifest manifest, RunStore store, IReadOnlyDictionary<int, string>? scheduler = null)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(store);
        var runs = store.GetTaskRuns(manifest.Tasks.Select(t => t.ConfigHash));
        var rows = new List<TaskStatusRow>();
        foreach (var t in manifest.Tasks)
        {
            var run = runs.GetValueOrDefault(t.ConfigHash);
            var state = run?.Status switch
            {
                null => TaskState.Pending,
                RunStatus.Finished => TaskState.Done,
                RunStatus.Running => TaskState.Running,
                RunStatus.Interrupted => TaskState.Interrupted,
                _ => TaskState.Failed,
            };
            rows.Add(new TaskStatusRow(t, state, run?.Id, run?.Message, scheduler?.GetValueOrDefault(t.Index)));
        }
        return rows;
    }
}
