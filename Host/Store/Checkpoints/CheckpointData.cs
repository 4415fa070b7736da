namespace InitLab.Store;

/// <summary>
/// Everything needed to resume training: parameters, optimiser state, generator state, the iteration
/// reached, and free-form string metadata. Tensor names are unique within each list.
/// </summary>
/// <param name="Iteration">Number of completed training iterations (non-negative).</param>
/// <param name="Parameters">Model parameters (e.g. "conv1.weight").</param>
/// <param name="OptimizerState">Optimiser state (e.g. "conv1.weight.m", a step count as an I64 scalar).</param>
/// <param name="GeneratorState">Random generators' states (e.g. "init" as I64/U8 words).</param>
/// <param name="Metadata">Extra metadata; keys starting with "initlab." are reserved.</param>
public sealed record CheckpointData(
    long Iteration,
    IReadOnlyList<NamedTensor> Parameters,
    IReadOnlyList<NamedTensor> OptimizerState,
    IReadOnlyList<NamedTensor> GeneratorState,
    IReadOnlyDictionary<string, string>? Metadata = null);
