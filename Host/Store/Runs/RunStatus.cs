namespace InitLab.Store;

/// <summary>Life-cycle state of a run in the <see cref="RunStore"/>.</summary>
public enum RunStatus
{
    /// <summary>Started and not yet finished (or the process died without finishing it).</summary>
    Running,
    /// <summary>Completed normally.</summary>
    Finished,
    /// <summary>Ended by an error.</summary>
    Failed,
    /// <summary>Ended on request (early stop, user interrupt).</summary>
    Stopped,
}
