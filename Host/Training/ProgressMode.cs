namespace InitLab.Training;

/// <summary>How a progress display is shown.</summary>
public enum ProgressMode
{
    /// <summary>A live Spectre.Console bar on a terminal, plain lines when output is redirected.</summary>
    Auto,
    /// <summary>Always plain lines (logs, CI).</summary>
    Lines,
    /// <summary>Nothing.</summary>
    Silent,
}
