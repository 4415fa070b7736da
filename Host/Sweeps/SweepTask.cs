namespace InitLab.Sweeps;

/// <summary>One task of a sweep: one training run, at a stable index of the manifest.</summary>
/// <param name="Index">0-based index, stable for the manifest (Slurm array index, Kubernetes completion index).</param>
/// <param name="Arm">Name of the arm it belongs to.</param>
/// <param name="Config">Full configuration, seed included.</param>
/// <param name="ConfigHash">SHA-256 (hex) of the config's canonical JSON.</param>
public sealed record SweepTask(int Index, string Arm, TaskConfig Config, string ConfigHash)
{
    /// <summary>Name of the task's run in the store: arm and seed.</summary>
    public string RunName => $"{Arm}/seed{Config.Seed}";
}
