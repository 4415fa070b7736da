namespace InitLab.Data;

/// <summary>Digits for an experiment and where they came from.</summary>
/// <param name="Data">Training and test sets.</param>
/// <param name="Resolution">How the data root was resolved; <see cref="DataRootResolution.IsSynthetic"/> tells whether the digits are real.</param>
public sealed record DigitData(TrainTestSplit Data, DataRootResolution Resolution);

/// <summary>The usual entry point of experiments: real MNIST when it can be found, else synthetic digits (with the warning).</summary>
public static class DigitSource
{
    /// <summary>
    /// Resolves the data root for MNIST (<see cref="DataRoot.Resolve"/>) and loads it; when no real data can be had,
    /// generates <paramref name="syntheticTrain"/> + <paramref name="syntheticTest"/> synthetic digits from
    /// <paramref name="seed"/> (train and test from separate streams). The fallback warning has then been written.
    /// Further sets in <see cref="DataRootOptions.DataSets"/> (e.g. "chars74k-hnd") must be under the same root,
    /// which <see cref="DigitData.Resolution"/> names so the caller can load them; MNIST is always required.
    /// </summary>
    public static DigitData LoadMnistOrSynthetic(DataRootOptions? options = null, int seed = 0, int syntheticTrain = 60_000, int syntheticTest = 10_000)
    {
        options ??= new DataRootOptions();
        if (!options.DataSets.Contains(DataCatalog.Mnist.Name, StringComparer.OrdinalIgnoreCase))
            options = options with { DataSets = [DataCatalog.Mnist.Name, .. options.DataSets] };
        var resolution = DataRoot.Resolve(options);
        return resolution.Root is not null
            ? new DigitData(Mnist.Load(resolution.Root), resolution)
            : new DigitData(Synthetic(seed, syntheticTrain, syntheticTest), resolution);
    }

    /// <summary>The synthetic digits of the fallback, without looking for real data (a worker told the caller had none).</summary>
    public static TrainTestSplit Synthetic(int seed, int train, int test) =>
        // the test seed is derived so the two sets never share images
        new(SyntheticDigits.Generate(train, seed), SyntheticDigits.Generate(test, unchecked(seed * 31 + 17)));
}
