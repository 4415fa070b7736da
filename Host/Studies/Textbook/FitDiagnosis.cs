namespace InitLab.Studies;

/// <summary>How well a model fits, judged from its train and test loss curves.</summary>
public enum FitVerdict
{
    /// <summary>The training loss itself stays high: the model is too small (or trained too little) to fit the data.</summary>
    UnderFitting,
    /// <summary>Low training loss and a test loss that follows it.</summary>
    GoodFit,
    /// <summary>The test loss turned upward, or the training set is memorised with the test loss far above: the model learns the samples, not the task.</summary>
    OverFitting,
}

/// <summary>The thresholds of <see cref="FitDiagnosis.Diagnose"/>.</summary>
/// <param name="UnderfitTrainLoss">A final training loss at or above this (nats) is under-fitting (10 classes: chance is ln 10 ≈ 2.30).</param>
/// <param name="OverfitRise">Over-fitting when the final test loss is this fraction above the curve's minimum…</param>
/// <param name="OverfitGapRatio">…or when the training set is memorised and (test − train) / test at the end reaches this fraction.</param>
/// <param name="MemorisedTrainLoss">A final training loss at or below this (nats) means the training set is memorised.</param>
public sealed record FitThresholds(double UnderfitTrainLoss = 0.5, double OverfitRise = 0.10, double OverfitGapRatio = 0.6, double MemorisedTrainLoss = 0.05)
{
    /// <summary>The defaults.</summary>
    public static FitThresholds Default { get; } = new();
}

/// <summary>A verdict with the numbers it was drawn from.</summary>
public sealed record FitAssessment(FitVerdict Verdict, double FinalTrainLoss, double FinalTestLoss, double MinTestLoss, int MinTestIndex, string Reason)
{
    /// <summary>Final test − train loss.</summary>
    public double Gap => FinalTestLoss - FinalTrainLoss;
}

/// <summary>Over- or under-fitting decided from numbers, as paper 002 suggests: compare the training and the test loss.</summary>
public static class FitDiagnosis
{
    /// <summary>Judges one model from its per-epoch train and test losses (equally long, finite, at least two points).</summary>
    /// <exception cref="ArgumentException">Curves of different length, too short, or with non-finite values.</exception>
    public static FitAssessment Diagnose(IReadOnlyList<double> trainLoss, IReadOnlyList<double> testLoss, FitThresholds? thresholds = null)
    {
        ArgumentNullException.ThrowIfNull(trainLoss);
        ArgumentNullException.ThrowIfNull(testLoss);
        var t = thresholds ?? FitThresholds.Default;
        if (trainLoss.Count != testLoss.Count)
            throw new ArgumentException($"train loss has {trainLoss.Count} points but test loss has {testLoss.Count}");
        if (trainLoss.Count < 2) throw new ArgumentException($"need at least 2 points per curve, got {trainLoss.Count}");
        for (int i = 0; i < trainLoss.Count; i++)
            if (!double.IsFinite(trainLoss[i]) || !double.IsFinite(testLoss[i]))
                throw new ArgumentException($"point {i}: train loss {trainLoss[i]}, test loss {testLoss[i]}; both must be finite");

        double train = trainLoss[^1], test = testLoss[^1];
        int minIndex = 0;
        for (int i = 1; i < testLoss.Count; i++) if (testLoss[i] < testLoss[minIndex]) minIndex = i;
        double minTest = testLoss[minIndex];
        double rise = (test - minTest) / minTest;
        double gapRatio = test > 0 ? (test - train) / test : 0;

        FitVerdict verdict;
        string reason;
        if (rise >= t.OverfitRise && train < minTest)
        {
            verdict = FitVerdict.OverFitting;
            reason = $"test loss rose {rise:P0} from its minimum {minTest:F3} (point {minIndex}) to {test:F3} while the training loss fell to {train:F3}";
        }
        else if (train <= t.MemorisedTrainLoss && gapRatio >= t.OverfitGapRatio)
        {
            verdict = FitVerdict.OverFitting;
            reason = $"training set memorised (loss {train:F3} ≤ {t.MemorisedTrainLoss}) while the test loss {test:F3} is {test / Math.Max(train, 1e-12):F0}× that";
        }
        else if (train >= t.UnderfitTrainLoss)
        {
            verdict = FitVerdict.UnderFitting;
            reason = $"training loss still {train:F3} ≥ {t.UnderfitTrainLoss} nats; test {test:F3} is close to it (gap {test - train:F3})";
        }
        else
        {
            verdict = FitVerdict.GoodFit;
            reason = $"training loss {train:F3} < {t.UnderfitTrainLoss}, test loss {test:F3} within {rise:P0} of its minimum, gap {test - train:F3}";
        }
        return new FitAssessment(verdict, train, test, minTest, minIndex, reason);
    }
}
