using InitLab.Store;

namespace InitLab.Sweeps;

/// <summary>
/// <see cref="ISweepStore"/> over the current SQLite <see cref="RunStore"/>: lookups by config hash scan
/// the study's runs and hash their stored canonical configs (the store has no hash column yet).
/// </summary>
public sealed class RunStoreSweepStore : ISweepStore
{
    /// <summary>Opens (or creates) the SQLite store at <paramref name="path"/>.</summary>
    public RunStoreSweepStore(string path) => Runs = RunStore.Open(path);

    /// <inheritdoc/>
    public RunStore Runs { get; }

    /// <inheritdoc/>
    public string Location => Runs.Path;

    /// <inheritdoc/>
    public IReadOnlyList<RunRecord> FindRuns(string study, string configHash) =>
        RunsOf(study).Where(r => r.ConfigHash == configHash).Select(r => r.Run).ToList();

    /// <inheritdoc/>
    public IReadOnlyList<(RunRecord Run, string ConfigHash)> RunsOf(string study) =>
        Runs.GetRuns(study).Select(r => (r, ConfigHash.OfJson(r.ConfigJson))).ToList();

    /// <summary>Closes the store.</summary>
    public void Dispose() => Runs.Dispose();
}
