using System.Security.Cryptography;

namespace InitLab.Data;

/// <summary>
/// Reader for the staged greyscale CIFAR-100 derivative (<c>cifar-100-grey/{train,test}.bin[.gz]</c>, see the
/// shared data README): 1,026-byte records of a coarse label byte, a fine label byte and one 32×32 grey plane
/// (BT.601 luma, rounded half up), no header. Its own layout differs from the official one: records are sorted
/// by fine label (100 runs of 500 train / 100 test records), so never take "the first N" of it; use the
/// stratified subsets of <see cref="Splits"/>. The reader checks that documented layout: labels in range,
/// fine labels non-decreasing, each fine label always with the same coarse label, and, when the
/// <c>*_filenames.txt</c> lists are present, one name per record.
/// </summary>
public static class Cifar100Grey
{
    /// <summary>The folder name under a data root.</summary>
    public const string FolderName = "cifar-100-grey";

    /// <summary>The grey CIFAR-100 folder under <paramref name="root"/> (or root itself); null if absent.</summary>
    public static string? FindDirectory(string root)
    {
        foreach (var dir in new[] { Path.Combine(root, FolderName), root })
            if ((File.Exists(Path.Combine(dir, "test.bin")) || File.Exists(Path.Combine(dir, "test.bin.gz")))
                && File.Exists(Path.Combine(dir, "test_filenames.txt")))
                return dir;
        return null;
    }

    /// <summary>Loads the 50,000 training and 10,000 test images, 1×32×32, fine labels in <see cref="DataSet.Labels"/>.</summary>
    /// <exception cref="FileNotFoundException">A record file is missing.</exception>
    /// <exception cref="DataFormatException">A file is corrupt or breaks the documented layout; the message names it.</exception>
    public static TrainTestSplit Load(string root)
    {
        string dir = FindDirectory(root) ?? Path.Combine(root, FolderName);
        var fineNames = CifarBinary.Names(dir, "fine_label_names.txt", Cifar100.DefaultFineClassNames);
        var coarseNames = CifarBinary.Names(dir, "coarse_label_names.txt", Cifar100.DefaultCoarseClassNames);
        string[] splits = ["train", "test"];
        var sets = new DataSet[2];
        ParallelRead.Run(2, i =>
        {
            var content = SourceFile.Read(CifarBinary.Locate(dir, splits[i] + ".bin"));
            var (pixels, fine, coarse) = Read(content, fineNames.Count, coarseNames.Count);
            CheckNameList(Path.Combine(dir, splits[i] + "_filenames.txt"), fine.Length);
            var fp = Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.ASCII.GetBytes(content.Sha256)));
            sets[i] = new DataSet($"{FolderName}/{splits[i]}", pixels, fine, 1, CifarBinary.Side, CifarBinary.Side,
                fineNames, fp, coarse, coarseNames);
        });
        return new TrainTestSplit(sets[0], sets[1]);
    }

    /// <summary>Parses one record file and checks the class grouping; internal so the fuzz test drives it directly.</summary>
    internal static (byte[] Pixels, int[] Fine, int[] Coarse) Read(SourceContent content, int fineClasses, int coarseClasses)
    {
        var (pixels, fine, coarse) = CifarBinary.Read(content, 2, fineClasses, coarseClasses, channels: 1);
        const int recordSize = 2 + CifarBinary.Side * CifarBinary.Side;
        var coarseOf = new int[fineClasses];
        Array.Fill(coarseOf, -1);
        for (int i = 0; i < fine.Length; i++)
        {
            if (i > 0 && fine[i] < fine[i - 1])
                throw new DataFormatException(content.Path, (long)i * recordSize + 1,
                    $"records grouped by fine label in ascending order (the documented {FolderName} layout)",
                    $"fine label {fine[i]} after {fine[i - 1]} at record {i}");
            if (coarseOf[fine[i]] < 0) coarseOf[fine[i]] = coarse![i];
            else if (coarseOf[fine[i]] != coarse![i])
                throw new DataFormatException(content.Path, (long)i * recordSize,
                    $"fine label {fine[i]} always with coarse label {coarseOf[fine[i]]}", $"coarse label {coarse[i]} at record {i}");
        }
        return (pixels, fine, coarse!);
    }

    private static void CheckNameList(string path, int records)
    {
        if (!File.Exists(path)) return;
        int lines = File.ReadLines(path).Count(l => l.Length > 0);
        if (lines != records)
            throw new DataFormatException(path, -1, $"one file name per record ({records})", $"{lines} names");
    }
}
