using System.Text.Json.Serialization;

namespace InitLab.Training;

/// <summary>One epoch of a training run (a pass of <see cref="TrainingOptions.MaxBatchesPerEpoch"/> batches or the whole set).</summary>
/// <param name="Epoch">1-based epoch number.</param>
/// <param name="Iteration">Iterations completed at its end.</param>
/// <param name="Batches">Batches it trained (fewer than an epoch only for the last one, when the run ended mid-epoch).</param>
/// <param name="TrainLoss">Mean training loss over its batches.</param>
/// <param name="Seconds">Wall time of its training steps, evaluations left out.</param>
public sealed record TrainingEpoch(int Epoch, int Iteration, int Batches, double TrainLoss, double Seconds)
{
    /// <summary>The evaluation (test or validation set) taken at its last iteration, if one was.</summary>
    public Evaluation? Evaluation { get; init; }

    /// <summary>The training-probe evaluation taken at its last iteration, if one was.</summary>
    public Evaluation? TrainEvaluation { get; init; }

    /// <summary>Accuracy of <see cref="Evaluation"/>, NaN when there was none.</summary>
    [JsonIgnore]
    public double Accuracy => Evaluation?.Accuracy ?? double.NaN;
}
