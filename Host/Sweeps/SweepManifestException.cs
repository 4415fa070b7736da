namespace InitLab.Sweeps;

/// <summary>A manifest file that cannot be used: unreadable, not a manifest, or edited (a hash mismatch).</summary>
public sealed class SweepManifestException : Exception
{
    /// <summary>Full path of the manifest.</summary>
    public string Path { get; }

    /// <summary>Creates the exception; the message starts with the file's path.</summary>
    public SweepManifestException(string path, string problem, Exception? inner = null)
        : base($"sweep manifest {path}: {problem}", inner) => Path = path;
}
