namespace InitLab.Sweeps;

/// <summary>One arm of a study: a name, the config it trains and the seeds it is repeated with.</summary>
/// <param name="Name">Arm name, unique within the sweep (e.g. "xavier").</param>
/// <param name="Config">The config; its <see cref="TaskConfig.Seed"/> is replaced by each seed.</param>
/// <param name="Seeds">Initialisation seeds, one task each.</param>
public sealed record SweepArm(string Name, TaskConfig Config, IReadOnlyList<int> Seeds);
