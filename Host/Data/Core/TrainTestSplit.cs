namespace InitLab.Data;

/// <summary>An official training set and its official test set, kept apart.</summary>
/// <param name="Train">The training images.</param>
/// <param name="Test">The official test images; never mixed into training or validation splits.</param>
public sealed record TrainTestSplit(DataSet Train, DataSet Test);
