namespace InitLab.Data;

/// <summary>Options for <see cref="Mnist.Load"/>.</summary>
public sealed record MnistOptions
{
    /// <summary>
    /// Also check each file against its pinned official checksum (<see cref="DataCatalog.Mnist"/>);
    /// a mismatch throws <see cref="DataFormatException"/>. Off by default: parsing already validates structure.
    /// </summary>
    public bool VerifyChecksums { get; init; }
}
