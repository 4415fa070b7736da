namespace InitLab.Store;

/// <summary>Life-cycle state of a run in the <see cref="RunStore"/>.</summary>
public enum RunStatus
{
    /// <summary>Started, not ended, and its process is alive (or, on another host, sent a heartbeat recently).</summary>
    Running,
    /// <summary>Completed normally.</summary>
    Finished,
    /// <summary>Ended by an error; the message holds the reason.</summary>
    Failed,
    /// <summary>Ended on request (early stop).</summary>
    Stopped,
    /// <summary>
    /// Cut short: ended by a signal or cancellation, or left "running" by a process that is gone
    /// (killed) or silent for longer than <see cref="RunStoreOptions.StaleAfter"/>. Such a run can be reopened.
    /// </summary>
    Interrupted,
}
