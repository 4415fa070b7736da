namespace InitLab.Store;

/// <summary>A run as stored in the <see cref="RunStore"/>.</summary>
/// <param name="Id">Store-wide identifier.</param>
/// <param name="Study">Study the run belongs to.</param>
/// <param name="Name">Name of the run within its study.</param>
/// <param name="ConfigJson">Configuration in canonical JSON form.</param>
/// <param name="Seed">Seed of the run's generators.</param>
/// <param name="DataFingerprint">Identifies the training data, if recorded.</param>
/// <param name="CodeVersion">Identifies the code, if recorded.</param>
/// <param name="Status">
/// Current state as it truly is: a row left "running" by a dead process reads <see cref="RunStatus.Interrupted"/>.
/// </param>
/// <param name="Started">When the run started (UTC).</param>
/// <param name="Ended">When the run ended (UTC), or null while running.</param>
/// <param name="Message">Final message (error text, stop reason, why it counts as interrupted), if any.</param>
/// <param name="ConfigHash">SHA-256 of the canonical configuration (<see cref="RunStore.ConfigHash"/>).</param>
/// <param name="Owner">Process that runs or last ran it, if recorded.</param>
/// <param name="Heartbeat">Last sign of life of that process (UTC), if recorded.</param>
/// <param name="Attempts">How many times the run was started or reopened (1 for a run never resumed).</param>
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
    string? Message,
    string ConfigHash = "",
    RunOwner? Owner = null,
    DateTimeOffset? Heartbeat = null,
    int Attempts = 1);
