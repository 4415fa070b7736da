namespace InitLab.Store;

/// <summary>What is known about a run when it starts; passed to <see cref="RunStore.StartRun"/>.</summary>
/// <param name="Study">Study the run belongs to (e.g. "lenet-init").</param>
/// <param name="Name">Name of the run within its study.</param>
/// <param name="ConfigJson">Full configuration as a JSON document; stored in canonical form (sorted keys, no spaces).</param>
/// <param name="Seed">Seed of the run's generators.</param>
/// <param name="DataFingerprint">Identifies the training data (e.g. SHA-256 of the files), if known.</param>
/// <param name="CodeVersion">Identifies the code (e.g. git commit), if known.</param>
public sealed record RunInfo(
    string Study,
    string Name,
    string ConfigJson,
    long Seed,
    string? DataFingerprint = null,
    string? CodeVersion = null);
