namespace InitLab.Data;

/// <summary>Where <see cref="DataRoot.Resolve"/> found the data.</summary>
public enum DataRootSource
{
    /// <summary>The root given explicitly (option or --root).</summary>
    Explicit,
    /// <summary>The INITLAB_DATA environment variable.</summary>
    EnvironmentVariable,
    /// <summary>The user cache directory, already populated.</summary>
    UserCache,
    /// <summary>The user cache directory, populated by downloading now.</summary>
    Downloaded,
    /// <summary>Nothing real was found: use <see cref="SyntheticDigits"/> (a warning was written).</summary>
    Synthetic,
}
