namespace InitLab.Store;

/// <summary>What <see cref="RunStore.BeginTask"/> did for a task (a configuration hash).</summary>
public enum TaskStartOutcome
{
    /// <summary>The store already holds a finished run of this configuration: skip the task.</summary>
    AlreadyFinished,
    /// <summary>A new run row was started; train from the beginning.</summary>
    Started,
    /// <summary>An interrupted (or failed) run of this configuration was reopened; resume it from its checkpoint.</summary>
    Resumed,
    /// <summary>Another live process is running this configuration now; leave it alone.</summary>
    Busy,
}

/// <summary>Result of <see cref="RunStore.BeginTask"/>.</summary>
/// <param name="Outcome">What happened.</param>
/// <param name="Run">The run concerned: the finished one, the new one, the reopened one, or the busy one.</param>
/// <param name="PreviousStatus">For <see cref="TaskStartOutcome.Resumed"/>, the status the run had before reopening.</param>
public sealed record TaskStart(TaskStartOutcome Outcome, RunRecord Run, RunStatus? PreviousStatus = null)
{
    /// <summary>True when the caller now owns the run and must train it (Started or Resumed).</summary>
    public bool MustRun => Outcome is TaskStartOutcome.Started or TaskStartOutcome.Resumed;
}
