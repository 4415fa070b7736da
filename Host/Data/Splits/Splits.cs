namespace InitLab.Data;

/// <summary>A training set cut into train / validation / test parts (all drawn from the same source).</summary>
/// <param name="Train">Training part.</param>
/// <param name="Validation">Validation part.</param>
/// <param name="Test">Held-out part (not the official test set, which stays apart).</param>
public sealed record ThreeWaySplit(DataSet Train, DataSet Validation, DataSet Test);

/// <summary>Seeded subsampling and splitting. Official test sets are never passed through these.</summary>
public static class Splits
{
    /// <summary>
    /// Indices of a class-stratified random subsample of round(<paramref name="percent"/> % × N) images: the total
    /// is apportioned over classes by largest remainder, so each class keeps ⌊K·n_c/N⌋ or ⌈K·n_c/N⌉ images and
    /// class ratios stay within one sample of the original. Which images a class keeps is a seeded shuffle. Sorted ascending.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Percent outside (0, 100] or NaN.</exception>
    public static int[] StratifiedSubsampleIndices(IReadOnlyList<int> labels, int classCount, double percent, int seed)
    {
        ArgumentNullException.ThrowIfNull(labels);
        if (!(percent > 0 && percent <= 100))
            throw new ArgumentOutOfRangeException(nameof(percent), percent, "percent must be in (0, 100]");
        var byClass = GroupByClass(labels, classCount);
        int total = (int)Math.Round(labels.Count * percent / 100, MidpointRounding.AwayFromZero);
        var quota = Apportion(byClass.Select(m => m.Count).ToArray(), total, labels.Count);
        var result = new List<int>(total);
        for (int c = 0; c < classCount; c++)
        {
            var arr = byClass[c].ToArray();
            // One stream per class: changing one class's size does not reshuffle the others.
            new SeededRandom(seed, c).Shuffle<int>(arr);
            result.AddRange(arr.AsSpan(0, quota[c]).ToArray());
        }
        result.Sort();
        return [.. result];
    }

    /// <summary>A class-stratified subsample of <paramref name="percent"/> % of <paramref name="data"/> (see <see cref="StratifiedSubsampleIndices"/>).</summary>
    public static DataSet StratifiedSubsample(DataSet data, double percent, int seed)
    {
        ArgumentNullException.ThrowIfNull(data);
        var idx = StratifiedSubsampleIndices(data.Labels, data.ClassCount, percent, seed);
        return data.Subset(idx, $"{data.Name}/{percent}%");
    }

    /// <summary>
    /// Index sets for a train / validation / test split by counts. Unstratified: a seeded shuffle cut in three.
    /// Stratified: each part receives each class in proportion to the class's share (largest-remainder rounding),
    /// so every part's class ratios match the source's within one sample per class.
    /// </summary>
    /// <exception cref="ArgumentException">A count is negative or the counts exceed the set.</exception>
    public static (int[] Train, int[] Validation, int[] Test) SplitIndices(
        IReadOnlyList<int> labels, int classCount, int train, int validation, int test, int seed, bool stratified)
    {
        ArgumentNullException.ThrowIfNull(labels);
        if (train < 0 || validation < 0 || test < 0)
            throw new ArgumentException($"split counts must be non-negative, got {train}/{validation}/{test}");
        if ((long)train + validation + test > labels.Count)
            throw new ArgumentException($"split counts {train}+{validation}+{test} exceed the {labels.Count} images available");
        if (!stratified)
        {
            var p = new SeededRandom(seed).Permutation(labels.Count);
            return (p[..train], p[train..(train + validation)], p[(train + validation)..(train + validation + test)]);
        }
        var byClass = GroupByClass(labels, classCount);
        int[] counts = [train, validation, test];
        var quota = new int[3][];
        for (int part = 0; part < 3; part++)
            quota[part] = Apportion(byClass.Select(m => m.Count).ToArray(), counts[part], labels.Count);
        // Apportioning each part independently can ask a class for more than it has when parts are large;
        // move any excess to classes with room, in class order (deterministic).
        FixOverdraw(byClass.Select(m => m.Count).ToArray(), quota);
        var parts = new List<int>[] { new(), new(), new() };
        for (int c = 0; c < classCount; c++)
        {
            var arr = byClass[c].ToArray();
            new SeededRandom(seed, c).Shuffle<int>(arr);
            int at = 0;
            for (int part = 0; part < 3; part++)
            {
                parts[part].AddRange(arr.AsSpan(at, quota[part][c]).ToArray());
                at += quota[part][c];
            }
        }
        // Shuffle within each part so classes are not in blocks.
        var result = parts.Select((l, k) => { var a = l.ToArray(); new SeededRandom(seed, 1000 + k).Shuffle<int>(a); return a; }).ToArray();
        return (result[0], result[1], result[2]);
    }

    /// <summary>A train / validation / test split of <paramref name="data"/> by counts (see <see cref="SplitIndices"/>).</summary>
    public static ThreeWaySplit TrainValidationTest(DataSet data, int train, int validation, int test, int seed, bool stratified = true)
    {
        ArgumentNullException.ThrowIfNull(data);
        var (a, b, c) = SplitIndices(data.Labels, data.ClassCount, train, validation, test, seed, stratified);
        return new ThreeWaySplit(data.Subset(a, data.Name + "/train"), data.Subset(b, data.Name + "/val"), data.Subset(c, data.Name + "/test"));
    }

    private static List<int>[] GroupByClass(IReadOnlyList<int> labels, int classCount)
    {
        var byClass = Enumerable.Range(0, classCount).Select(_ => new List<int>()).ToArray();
        for (int i = 0; i < labels.Count; i++)
        {
            int l = labels[i];
            if ((uint)l >= (uint)classCount) throw new ArgumentException($"label {l} of image {i} is outside 0..{classCount - 1}");
            byClass[l].Add(i);
        }
        return byClass;
    }

    /// <summary>Largest-remainder apportionment of <paramref name="total"/> over classes by their sizes.</summary>
    private static int[] Apportion(int[] sizes, int total, int all)
    {
        var q = new int[sizes.Length];
        if (all == 0) return q;
        var rema = new (double Rem, int Class)[sizes.Length];
        int given = 0;
        for (int c = 0; c < sizes.Length; c++)
        {
            double exact = (double)sizes[c] * total / all;
            q[c] = (int)Math.Floor(exact);
            given += q[c];
            rema[c] = (exact - q[c], c);
        }
        foreach (var (_, c) in rema.OrderByDescending(r => r.Rem).ThenBy(r => r.Class).Take(total - given)) q[c]++;
        return q;
    }

    private static void FixOverdraw(int[] sizes, int[][] quota)
    {
        for (int c = 0; c < sizes.Length; c++)
        {
            int over = quota[0][c] + quota[1][c] + quota[2][c] - sizes[c];
            for (int part = 2; part >= 0 && over > 0; part--)
            {
                int take = Math.Min(over, quota[part][c]);
                quota[part][c] -= take;
                over -= take;
                for (int d = 0; d < sizes.Length && take > 0; d++)
                {
                    int room = sizes[d] - quota[0][d] - quota[1][d] - quota[2][d];
                    int give = Math.Min(room, take);
                    quota[part][d] += give;
                    take -= give;
                }
            }
        }
    }
}
