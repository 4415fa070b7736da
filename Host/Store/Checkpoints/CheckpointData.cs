using InitLab.Kernel;

namespace InitLab.Store;

/// <summary>
/// Everything needed to resume training: parameters, optimiser state, generator state, the iteration
/// reached, and free-form string metadata, each tensor as the Kernel's <see cref="StateBuffer"/> (what
/// <c>Module.SaveParameters</c> and <c>Optimizer.SaveState</c> give and their loads take). Tensor names
/// are unique within each list.
/// </summary>
/// <param name="Iteration">Number of completed training iterations (non-negative).</param>
/// <param name="Parameters">Model parameters (e.g. "conv1.weight").</param>
/// <param name="OptimizerState">Optimiser state (e.g. "conv1.weight/momentum"; counters as F64 scalars).</param>
/// <param name="GeneratorState">Random generators' states (e.g. "dropout/drop1" as I64 words).</param>
/// <param name="Metadata">Extra metadata; keys starting with "initlab." are reserved.</param>
public sealed record CheckpointData(
    long Iteration,
    IReadOnlyList<StateBuffer> Parameters,
    IReadOnlyList<StateBuffer> OptimizerState,
    IReadOnlyList<StateBuffer> GeneratorState,
    IReadOnlyDictionary<string, string>? Metadata = null);
