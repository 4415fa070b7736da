using InitLab.Data;

namespace InitLab.Studies.Sequence;

/// <summary>
/// The sequence task's three parts as a <see cref="SequenceStudyOptions"/> cuts them, with each pair's digits and
/// the pair images as tensors: what the study script and a sweep worker both train and score on.
/// </summary>
public sealed class SequenceData
{
    SequenceData(SequencePairs pairs, SequenceStudyOptions options, string? root)
    {
        Train = pairs.Train;
        Validation = pairs.Validation;
        Test = pairs.Test;
        Root = root;
        ValidationCount = options.ValidationPairs == 0 ? Validation.Count : Math.Min(options.ValidationPairs, Validation.Count);
        TestCount = options.TestPairs == 0 ? Test.Count : Math.Min(options.TestPairs, Test.Count);
        TrainImages = new PairImages(Train.Pairs);
        ValidationImages = new PairImages(Validation.Pairs);
        TestImages = new PairImages(Test.Pairs);
    }

    /// <summary>Training pairs.</summary>
    public SequencePart Train { get; }
    /// <summary>Validation pairs (monitoring after each epoch).</summary>
    public SequencePart Validation { get; }
    /// <summary>Test pairs (Table 2).</summary>
    public SequencePart Test { get; }
    /// <summary>Validation pairs scored after each epoch.</summary>
    public int ValidationCount { get; }
    /// <summary>Test pairs scored.</summary>
    public int TestCount { get; }
    /// <summary>Images of the training pairs.</summary>
    public PairImages TrainImages { get; }
    /// <summary>Images of the validation pairs.</summary>
    public PairImages ValidationImages { get; }
    /// <summary>Images of the test pairs.</summary>
    public PairImages TestImages { get; }
    /// <summary>The data root MNIST came from; null for synthetic digits.</summary>
    public string? Root { get; }
    /// <summary>Fingerprint of the training pairs, part of every network's config.</summary>
    public string Fingerprint => Train.Pairs.Fingerprint;

    /// <summary>The parts cut from <paramref name="mnist"/>: its first Train + Validation training images, and its first TestImages test images (all when 0).</summary>
    public static SequenceData From(TrainTestSplit mnist, SequenceStudyOptions options, string? root = null)
    {
        ArgumentNullException.ThrowIfNull(mnist);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        int fit = options.TrainImages + options.ValidationImages;
        if (fit > mnist.Train.Count)
            throw new ArgumentException($"train {options.TrainImages} + validation {options.ValidationImages} images need more than the {mnist.Train.Count} of {mnist.Train.Name}");
        var test = options.TestImages == 0 || options.TestImages >= mnist.Test.Count ? mnist.Test : mnist.Test.Subset([.. Enumerable.Range(0, options.TestImages)]);
        var used = new TrainTestSplit(mnist.Train.Subset([.. Enumerable.Range(0, fit)]), test);
        return new SequenceData(SequencePairs.Build(used, options.TrainImages, options.ValidationImages), options, root);
    }

    /// <summary>
    /// MNIST from <paramref name="dataRoot"/> (or INITLAB_DATA, the cache, a download), or synthetic digits when
    /// <paramref name="synthetic"/> (just the images the parts use, seeds 1 and 2; 10,000 test images unless TestImages says).
    /// </summary>
    /// <exception cref="ArgumentException">Real data were asked for and no data root holds MNIST.</exception>
    public static SequenceData Load(SequenceStudyOptions options, string? dataRoot, bool synthetic)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (synthetic)
            return From(new TrainTestSplit(SyntheticDigits.Generate(options.TrainImages + options.ValidationImages, 1),
                SyntheticDigits.Generate(options.TestImages == 0 ? 10_000 : options.TestImages, 2)), options);
        var root = DataRoot.Resolve(new DataRootOptions { ExplicitRoot = dataRoot, DataSets = ["mnist"], Warnings = Console.Error }).Root
                   ?? throw new ArgumentException("no data root holds mnist; pass --data-root DIR or set INITLAB_DATA");
        return From(Mnist.Load(root), options, root);
    }

}
