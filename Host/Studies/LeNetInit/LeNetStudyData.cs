using InitLab.Data;

namespace InitLab.Studies;

/// <summary>
/// The data of paper 000, loaded the same way by scripts/exp_lenet.fsx and its sweep workers (an arm's stored
/// config names its sets by fingerprint, so both must see the same images): MNIST and Chars74K digits under one
/// root, else synthetic stand-ins for both; inverted when the study says so; Chars74K split as the study says.
/// </summary>
/// <param name="Root">The data root; null on the synthetic path.</param>
/// <param name="MnistTrain">MNIST training images.</param>
/// <param name="MnistTest">MNIST test images.</param>
/// <param name="Chars">All Chars74K digits.</param>
/// <param name="CharsTrain">Chars74K training part.</param>
/// <param name="CharsTest">Chars74K test part.</param>
public sealed record LeNetStudyData(string? Root, DataSet MnistTrain, DataSet MnistTest, DataSet Chars, DataSet CharsTrain, DataSet CharsTest)
{
    /// <summary>True when no real data were found (or the caller had none).</summary>
    public bool IsSynthetic => Root is null;

    /// <summary>The training and test sets of <paramref name="set"/> (<see cref="LeNetArm.Chars"/> or <see cref="LeNetArm.Mnist"/>).</summary>
    public (DataSet Train, DataSet Test) For(string set) => set switch
    {
        LeNetArm.Chars => (CharsTrain, CharsTest),
        LeNetArm.Mnist => (MnistTrain, MnistTest),
        _ => throw new ArgumentException($"data set '{set}' is not one of {LeNetArm.Chars}, {LeNetArm.Mnist}"),
    };

    /// <summary>
    /// Loads the study's sets (<see cref="DataConfig.Sets"/>) by the documented order from <paramref name="options"/>
    /// (MNIST 60,000 + 10,000, Chars74K's 550 digits), else 6,000 + 1,000 synthetic digits and 550 for Chars74K, with the
    /// resolver's warning. <paramref name="options"/> null: the synthetic sets at once, without looking for data.
    /// </summary>
    /// <exception cref="ArgumentException">The study has no split for Chars74K.</exception>
    public static LeNetStudyData Load(StudyConfig study, DataRootOptions? options)
    {
        ArgumentNullException.ThrowIfNull(study);
        var split = study.Data.Split ?? throw new ArgumentException($"study '{study.Name}': data.split is needed for Chars74K, which has no test set");
        TrainTestSplit mnist;
        string? root = null;
        if (options is null) mnist = DigitSource.Synthetic(1, 6000, 1000);
        else
        {
            var digits = DigitSource.LoadMnistOrSynthetic(options with { DataSets = study.Data.Sets }, seed: 1, syntheticTrain: 6000, syntheticTest: 1000);
            (mnist, root) = (digits.Data, digits.Resolution.Root);
        }
        DataSet Polarity(DataSet d) => study.Data.Invert ? PixelTransforms.Invert(d) : d;
        // Chars74K.Load centres each digit in 28×28 with MNIST's polarity; inverting both sets gives
        // Chars74K's own dark-on-white polarity, to which the paper inverts MNIST.
        var chars = Polarity(root is not null ? Chars74K.Load(root, new Chars74KOptions { DigitsOnly = true }) : SyntheticDigits.Generate(550, 74));
        var charsSplit = split.Apply(chars);
        return new LeNetStudyData(root, Polarity(mnist.Train), Polarity(mnist.Test), chars, charsSplit.Train, charsSplit.Test);
    }
}
