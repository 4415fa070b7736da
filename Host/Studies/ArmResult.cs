using InitLab.Kernel;
using InitLab.Training;

namespace InitLab.Studies;

/// <summary>One trained model of a study, fresh or reused from the run store.</summary>
/// <param name="RunId">Its run in the store.</param>
/// <param name="Reused">True when a finished run with the same configuration was found and not retrained.</param>
/// <param name="Losses">Training loss per iteration.</param>
/// <param name="Evaluations">Test evaluations.</param>
/// <param name="InitialParameters">Parameters before training.</param>
/// <param name="FinalParameters">Parameters after training.</param>
/// <param name="Seconds">Training wall time (of the original run when reused).</param>
/// <param name="ImagesPerSecond">Training throughput (of the original run when reused).</param>
public sealed record ArmResult(
    long RunId,
    bool Reused,
    IReadOnlyList<double> Losses,
    IReadOnlyList<Evaluation> Evaluations,
    IReadOnlyList<StateBuffer> InitialParameters,
    IReadOnlyList<StateBuffer> FinalParameters,
    double Seconds,
    double ImagesPerSecond);
