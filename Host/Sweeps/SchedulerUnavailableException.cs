namespace InitLab.Sweeps;

/// <summary>A scheduler command (sbatch, squeue) is missing or refused the job; the script written is kept.</summary>
public sealed class SchedulerUnavailableException : Exception
{
    /// <summary>The command that failed, e.g. "sbatch".</summary>
    public string Command { get; }

    /// <summary>Creates the exception; the message names the command.</summary>
    public SchedulerUnavailableException(string command, string problem, Exception? inner = null)
        : base($"{command}: {problem}", inner) => Command = command;
}
