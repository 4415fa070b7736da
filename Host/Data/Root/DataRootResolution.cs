namespace InitLab.Data;

/// <summary>The outcome of <see cref="DataRoot.Resolve"/>: where the data are and how they were found.</summary>
/// <param name="Root">The data root, or null when <see cref="Source"/> is <see cref="DataRootSource.Synthetic"/>.</param>
/// <param name="Source">Which step of the resolution order succeeded.</param>
/// <param name="Notes">What was tried before and why it did not do (missing files, failed downloads).</param>
public sealed record DataRootResolution(string? Root, DataRootSource Source, IReadOnlyList<string> Notes)
{
    /// <summary>True when no real data were found and synthetic digits stand in.</summary>
    public bool IsSynthetic => Source == DataRootSource.Synthetic;
}
