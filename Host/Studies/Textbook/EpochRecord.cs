namespace InitLab.Studies;

/// <summary>Whole-set loss and accuracy after <paramref name="Iteration"/> steps (epoch 0 is before training).</summary>
/// <param name="Epoch">Evaluations so far: 0 before the first step, then 1, 2, …</param>
/// <param name="Iteration">Training steps completed.</param>
/// <param name="TrainLoss">Mean cross-entropy on the whole training set.</param>
/// <param name="TrainAccuracy">Accuracy on the whole training set.</param>
/// <param name="TestLoss">Mean cross-entropy on the test set.</param>
/// <param name="TestAccuracy">Accuracy on the test set.</param>
public sealed record EpochRecord(int Epoch, int Iteration, double TrainLoss, double TrainAccuracy, double TestLoss, double TestAccuracy);

/// <summary>What <see cref="EpochTraining.Run"/> produced.</summary>
/// <param name="Losses">Mini-batch loss of every step (index i = step i + 1).</param>
/// <param name="Epochs">Evaluations, in order, the first before any step.</param>
/// <param name="TrainSeconds">Wall time of the training steps alone.</param>
/// <param name="EvaluationSeconds">Wall time of the evaluations.</param>
public sealed record EpochTrainingResult(IReadOnlyList<double> Losses, IReadOnlyList<EpochRecord> Epochs, double TrainSeconds, double EvaluationSeconds)
{
    /// <summary>The last evaluation.</summary>
    public EpochRecord Final => Epochs[^1];

    /// <summary>Training throughput in images per second (steps × batch size / training time).</summary>
    public double ImagesPerSecond(int batchSize) => Losses.Count * (double)batchSize / Math.Max(TrainSeconds, 1e-9);
}
