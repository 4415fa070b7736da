namespace InitLab.Data;

/// <summary>
/// The data root given explicitly (<see cref="DataRootOptions.ExplicitRoot"/>, e.g. <c>--data-root</c>) does not
/// exist. Refused rather than passed over: the user named a folder, so downloading or falling back to synthetic
/// data behind their back would train on something they did not ask for.
/// </summary>
public sealed class DataRootNotFoundException : DirectoryNotFoundException
{
    /// <summary>Creates the exception for <paramref name="path"/>.</summary>
    public DataRootNotFoundException(string path)
        : base($"{path}: the data root given does not exist (nothing was downloaded)")
    {
        Path = path;
    }

    /// <summary>The explicit data root, as given.</summary>
    public string Path { get; }
}
