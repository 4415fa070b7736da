using InitLab.Store;

namespace InitLab.Sweeps;

/// <summary>
/// What sweeps need of a run store. Today <see cref="RunStoreSweepStore"/> adapts the SQLite
/// <see cref="RunStore"/>; the extended store (PostgreSQL, indexed lookups by config hash, interrupted
/// status) is meant to implement this directly.
/// </summary>
public interface ISweepStore : IDisposable
{
    /// <summary>Where the store is (a path, or a connection string without its password).</summary>
    string Location { get; }

    /// <summary>The store the trainer logs metrics into.</summary>
    RunStore Runs { get; }

    /// <summary>Runs of <paramref name="study"/> whose config hashes to <paramref name="configHash"/>, oldest first.</summary>
    IReadOnlyList<RunRecord> FindRuns(string study, string configHash);

    /// <summary>Every run of <paramref name="study"/>, oldest first, each with its config hash.</summary>
    IReadOnlyList<(RunRecord Run, string ConfigHash)> RunsOf(string study);
}
