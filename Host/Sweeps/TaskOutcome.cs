namespace InitLab.Sweeps;

/// <summary>How running one task ended.</summary>
public enum TaskOutcomeKind
{
    /// <summary>Trained from the start and finished.</summary>
    Trained,
    /// <summary>Continued an interrupted run from its checkpoint and finished.</summary>
    Resumed,
    /// <summary>The store already holds a finished run with this config hash.</summary>
    Skipped,
    /// <summary>Another process is training this task right now.</summary>
    Busy,
    /// <summary>Training failed; the run is recorded as failed with the reason.</summary>
    Failed,
}

/// <summary>The result of running one task.</summary>
/// <param name="Index">Task index.</param>
/// <param name="Kind">How it ended.</param>
/// <param name="RunId">The run in the store (null when busy).</param>
/// <param name="ResumedFrom">Iteration training continued from (0 for a fresh start).</param>
/// <param name="Message">One line for people.</param>
public sealed record TaskOutcome(int Index, TaskOutcomeKind Kind, long? RunId, int ResumedFrom, string Message)
{
    /// <summary>True unless the task failed.</summary>
    public bool Ok => Kind != TaskOutcomeKind.Failed;
}
