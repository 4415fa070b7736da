namespace InitLab.Data;

/// <summary>The three parts of the Seed-003 sequence task.</summary>
/// <param name="Train">Pairs from the first 42,000 of the 70,000 MNIST images.</param>
/// <param name="Validation">Pairs from the next 18,000.</param>
/// <param name="Test">Pairs from the last 10,000 (the official MNIST test set).</param>
public sealed record SequenceTaskSplits(DataSet Train, DataSet Validation, DataSet Test);

/// <summary>
/// Seed-003 sequence task: pairs (a, b) of MNIST images labelled c = 2b − a, where a and b are the
/// digits shown; c ranges over −9..18 and is stored as class c + 9 (0..27).
/// </summary>
/// <remarks>
/// All 70,000 images are taken in order (60,000 training then 10,000 test) and cut into 42,000 / 18,000 / 10,000,
/// so the test part is exactly the official test set. Each part's image sequence s is concatenated with its
/// reverse, r = s ++ reverse(s), and pair k is (r[k], r[(k + 1) mod 2n]) for k = 0..2n−1: every neighbouring pair
/// appears in both orders, and a part of n images yields 2n pairs. Each pair is one 2-channel 28×28 image
/// (channel 0 = a, channel 1 = b).
/// </remarks>
public static class SequenceTask
{
    /// <summary>Number of classes: c = 2b − a spans −9..18.</summary>
    public const int ClassCount = 28;

    /// <summary>Class names "-9".."18" in label order.</summary>
    public static readonly IReadOnlyList<string> ClassNames = [.. Enumerable.Range(-9, ClassCount).Select(c => c.ToString())];

    /// <summary>The class label of the pair (a, b): 2b − a + 9.</summary>
    public static int Label(int a, int b)
    {
        if ((uint)a > 9 || (uint)b > 9) throw new ArgumentOutOfRangeException(nameof(a), $"digits must be 0..9, got ({a}, {b})");
        return 2 * b - a + 9;
    }

    /// <summary>Pair indices (into the part's own sequence of <paramref name="n"/> images): first and second element of each pair.</summary>
    public static (int[] First, int[] Second) PairIndices(int n)
    {
        if (n < 0) throw new ArgumentOutOfRangeException(nameof(n), n, "must be non-negative");
        int m = 2 * n;
        var first = new int[m];
        var second = new int[m];
        int At(int k) => k < n ? k : m - 1 - k; // position k of s ++ reverse(s)
        for (int k = 0; k < m; k++)
        {
            first[k] = At(k);
            second[k] = At((k + 1) % m);
        }
        return (first, second);
    }

    /// <summary>Builds the three parts from MNIST (60,000 train + 10,000 test).</summary>
    /// <exception cref="ArgumentException">The MNIST sets do not have 60,000 and 10,000 single-channel images with 10 classes.</exception>
    public static SequenceTaskSplits Build(TrainTestSplit mnist, int trainCount = 42_000, int validationCount = 18_000)
    {
        ArgumentNullException.ThrowIfNull(mnist);
        var all = mnist.Train.Concat(mnist.Test, "mnist/all");
        if (all.Channels != 1 || all.ClassCount != 10)
            throw new ArgumentException($"{all.Name}: the sequence task needs 1-channel digit images with 10 classes");
        if (trainCount < 0 || validationCount < 0 || trainCount + validationCount > mnist.Train.Count)
            throw new ArgumentException($"train {trainCount} + validation {validationCount} must fit in the {mnist.Train.Count} training images");
        int testStart = trainCount + validationCount;
        return new SequenceTaskSplits(
            Part(all, 0, trainCount, "seq003/train"),
            Part(all, trainCount, validationCount, "seq003/val"),
            Part(all, testStart, all.Count - testStart, "seq003/test"));
    }

    private static DataSet Part(DataSet all, int start, int n, string name)
    {
        var (first, second) = PairIndices(n);
        int size = all.ImageSize;
        var pixels = new byte[(long)first.Length * 2 * size];
        var labels = new int[first.Length];
        for (int k = 0; k < first.Length; k++)
        {
            int a = start + first[k], b = start + second[k];
            all.Image(a).CopyTo(pixels.AsSpan(2 * k * size, size));
            all.Image(b).CopyTo(pixels.AsSpan((2 * k + 1) * size, size));
            labels[k] = Label(all.Labels[a], all.Labels[b]);
        }
        return new DataSet(name, pixels, labels, 2, all.Height, all.Width, ClassNames,
            PixelTransforms.Derive(all.Fingerprint, $"seq003:{start}:{n}"));
    }
}
