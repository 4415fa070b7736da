namespace InitLab.Store;

/// <summary>A run as stored in the <see cref="RunStore"/>.</summary>
/// <param name="Id">Store-wide identifier.</param>
/// <param name="Study">Study the run belongs to.</param>
/// <param name="Name">Name of the run within its study.</param>
/// <param name="ConfigJson">Configuration in canonical JSON form.</param>
/// <param name="Seed">Seed of the run's generators.</param>
/// <param name="DataFingerprint">Identifies the training data, if recorded.</param>
/// <param name="CodeVersion">Identifies the code, if recorded.</param>
/// <param name="Status">Current state.</param>
/// <param name="Started">When the run started (UTC).</param>
/// <param name="Ended">When the run ended (UTC), or null while running.</param>
/// <param name="Message">Final message (error text, stop reason), if any.</param>
public sealed record RunRecord(
    long Id,
    string Study,
    string Name,
    string ConfigJson,
    long Seed,
    string? DataFingerprint,
    string? CodeVersion,
    RunStatus Status,
    DateTimeOffset Started,
    DateTimeOffset? Ended,
    string? Message);
