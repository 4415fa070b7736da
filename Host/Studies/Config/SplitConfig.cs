using InitLab.Data;

namespace InitLab.Studies;

/// <summary>How a data set without its own test set is split into training and test images.</summary>
public sealed record SplitConfig
{
    /// <summary>Share of the images that train, in percent (the rest test).</summary>
    public required double TrainPercent { get; init; }

    /// <summary>Seed of the split.</summary>
    public required int Seed { get; init; }

    /// <summary>Keep each class's share in both parts.</summary>
    public bool Stratified { get; init; } = true;

    /// <summary>The number of training images among <paramref name="count"/> (rounded half to even).</summary>
    public int TrainCount(int count) => (int)Math.Round(count * TrainPercent / 100.0);

    /// <summary><paramref name="data"/> split into training and test images (no validation part).</summary>
    public TrainTestSplit Apply(DataSet data)
    {
        ArgumentNullException.ThrowIfNull(data);
        Validate();
        int train = TrainCount(data.Count);
        var split = Splits.TrainValidationTest(data, train, 0, data.Count - train, Seed, Stratified);
        return new TrainTestSplit(split.Train, split.Test);
    }

    /// <summary>Throws <see cref="ArgumentException"/> when the share is not strictly between 0 and 100.</summary>
    public void Validate()
    {
        if (!(TrainPercent > 0 && TrainPercent < 100))
            throw new ArgumentException($"data split train_percent must lie strictly between 0 and 100, got {TrainPercent}");
    }
}
