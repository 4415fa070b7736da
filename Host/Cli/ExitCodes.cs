namespace InitLab.Cli;

/// <summary>
/// The exit codes of every <c>initlab</c> command, in one place (the README's table repeats them).
/// A non-zero code always comes with one message on standard error naming the file, option or value at fault.
/// </summary>
public static class ExitCodes
{
    /// <summary>Success (a sweep task that was already done, or is being run by another process, also exits 0).</summary>
    public const int Ok = 0;

    /// <summary>The work failed: a training run or sweep task failed (recorded as failed), a checksum mismatched, a run was not found.</summary>
    public const int Failure = 1;

    /// <summary>Usage: an unknown command or option, an impossible value (--lr ≤ 0 or NaN, --batch above the training set, a missing --data-root, a checkpoint path that is a directory or cannot be written), a task index out of range, a resume under a changed config without --allow-config-change.</summary>
    public const int Usage = 2;

    /// <summary>Bad input file: a corrupt or edited sweep manifest (hash mismatch), a malformed arms file, a corrupt data file, a corrupt or foreign checkpoint (or one holding NaN).</summary>
    public const int InvalidInput = 3;

    /// <summary>The run store cannot be used: unreachable, not a store, a wrong connection string.</summary>
    public const int StoreUnavailable = 4;

    /// <summary>The scheduler cannot be used: sbatch (or squeue) missing, or the submission refused; the script written is kept.</summary>
    public const int SchedulerUnavailable = 5;

    /// <summary>Interrupted by Ctrl-C or SIGTERM (128 + SIGINT, as shells report it); the run is recorded as interrupted and resumes on a rerun.</summary>
    public const int Interrupted = 130;
    /// <summary><c>export onnx</c>: a layer of the network has no ONNX form (export keeps 1 for a bad checkpoint, see the README's table).</summary>
    public const int ExportUnsupportedLayer = 3;

    /// <summary><c>export onnx</c>: the output file cannot be written; nothing half-written is left.</summary>
    public const int ExportUnwritable = 4;

    /// <summary>The code and one line for an exception that reached the top of a command.</summary>
    public static (int Code, string Message) For(Exception e) => e switch
    {
        Store.CheckpointFormatException => (InvalidInput, e.Message),
        Data.DataFormatException => (InvalidInput, e.Message),
        Store.RunStoreUnavailableException => (StoreUnavailable, e.Message),
        Data.DataRootNotFoundException => (Usage, "--data-root " + e.Message),
        UnauthorizedAccessException => (Failure, e.Message),
        Sweeps.SweepManifestException => (InvalidInput, e.Message),
        Sweeps.StoreUnavailableException => (StoreUnavailable, e.Message),
        Sweeps.SchedulerUnavailableException => (SchedulerUnavailable, e.Message),
        InvalidDataException => (InvalidInput, e.Message),
        ArgumentOutOfRangeException a => (Usage, a.Message.Split(" (Parameter", 2)[0]),
        ArgumentException a => (Usage, a.Message.Split(" (Parameter", 2)[0]),
        _ => (Failure, e.Message),
    };
}
