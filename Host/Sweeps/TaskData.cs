using InitLab.Data;

namespace InitLab.Sweeps;

/// <summary>The training and test sets a run names: mnist, chars74k (a stratified 80/20 split) or synthetic digits.</summary>
public static class TaskData
{
    /// <summary>Loads <paramref name="name"/> from the data root (explicit, else INITLAB_DATA, cache, download).</summary>
    /// <exception cref="ArgumentException">Unknown name, or no data root holds the set.</exception>
    public static (DataSet Train, DataSet Test) Load(string name, string? explicitRoot, bool invert, int seed,
        int syntheticTrain = 6000, int syntheticTest = 1000)
    {
        (DataSet, DataSet) pair;
        if (name == "synthetic")
        {
            pair = (SyntheticDigits.Generate(syntheticTrain, seed), SyntheticDigits.Generate(syntheticTest, seed + 1_000_003));
        }
        else if (name is "mnist" or "chars74k")
        {
            var resolution = DataRoot.Resolve(new DataRootOptions { ExplicitRoot = explicitRoot, DataSets = [name == "chars74k" ? "chars74k-hnd" : name], Warnings = Console.Error });
            if (resolution.Root is null)
                throw new ArgumentException($"no data root holds {name}; pass --data-root DIR or set INITLAB_DATA");
            if (name == "mnist")
            {
                var m = Mnist.Load(resolution.Root);
                pair = (m.Train, m.Test);
            }
            else
            {
                var chars = Chars74K.Load(resolution.Root, new Chars74KOptions { DigitsOnly = true });
                int trainCount = (int)Math.Round(chars.Count * 0.8);
                var split = Splits.TrainValidationTest(chars, trainCount, 0, chars.Count - trainCount, seed, stratified: true);
                pair = (split.Train, split.Test);
            }
        }
        else throw new ArgumentException($"--data '{name}' is not one of mnist, chars74k, synthetic");
        var (train, test) = pair;
        return invert ? (PixelTransforms.Invert(train), PixelTransforms.Invert(test)) : pair;
    }
}
