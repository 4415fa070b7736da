namespace InitLab.Training;

/// <summary>
/// A checkpoint was written under another run config (learning rate, momentum, data set, batch size…)
/// than the run resuming it asks for. The message names the file and every difference.
/// </summary>
public sealed class ConfigChangedException : ArgumentException
{
    /// <summary>The checkpoint file.</summary>
    public string Checkpoint { get; }

    /// <summary>The differences, e.g. "lr 0.01 → 0.1, batch 64 → 32".</summary>
    public string Differences { get; }

    /// <summary>Creates the exception.</summary>
    public ConfigChangedException(string checkpoint, string differences)
        : base($"checkpoint {checkpoint} was written under another config ({differences}); "
               + "resume with the same options, or pass --allow-config-change (AllowConfigChange) to resume anyway and record the change")
    {
        Checkpoint = checkpoint;
        Differences = differences;
    }
}
