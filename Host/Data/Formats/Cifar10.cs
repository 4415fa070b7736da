using System.Security.Cryptography;

namespace InitLab.Data;

/// <summary>Reader for CIFAR-10, binary version (<c>cifar-10-batches-bin/*.bin</c>, each optionally gzipped): 3×32×32 RGB planes.</summary>
public static class Cifar10
{
    /// <summary>The ten class names in label order.</summary>
    public static readonly IReadOnlyList<string> DefaultClassNames =
        ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"];

    /// <summary>The CIFAR-10 folder under <paramref name="root"/> (or root itself if it holds the batches); null if absent.</summary>
    public static string? FindDirectory(string root)
    {
        foreach (var dir in new[] { Path.Combine(root, "cifar-10-batches-bin"), root })
            if (File.Exists(Path.Combine(dir, "test_batch.bin")) || File.Exists(Path.Combine(dir, "test_batch.bin.gz")))
                return dir;
        return null;
    }

    /// <summary>Loads the 50,000 training images (data_batch_1..5, in order) and the 10,000 official test images.</summary>
    /// <exception cref="FileNotFoundException">A batch file is missing.</exception>
    /// <exception cref="DataFormatException">A batch is corrupt.</exception>
    public static TrainTestSplit Load(string root)
    {
        string dir = FindDirectory(root) ?? Path.Combine(root, "cifar-10-batches-bin");
        var names = CifarBinary.Names(dir, "batches.meta.txt", DefaultClassNames);
        string[] files = [.. Enumerable.Range(1, 5).Select(i => CifarBinary.Locate(dir, $"data_batch_{i}.bin")), CifarBinary.Locate(dir, "test_batch.bin")];
        var parts = new (byte[] Pixels, int[] Labels, string Sha)[files.Length];
        ParallelRead.Run(files.Length, i =>
        {
            var c = SourceFile.Read(files[i]);
            var (p, l, _) = CifarBinary.Read(c, 1, names.Count, 0);
            parts[i] = (p, l, c.Sha256);
        });
        DataSet Make(string name, IEnumerable<(byte[] Pixels, int[] Labels, string Sha)> ps)
        {
            var list = ps.ToList();
            var pixels = new byte[list.Sum(p => p.Pixels.LongLength)];
            long at = 0;
            foreach (var p in list) { p.Pixels.CopyTo(pixels, at); at += p.Pixels.LongLength; }
            var fp = Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.ASCII.GetBytes(string.Concat(list.Select(p => p.Sha)))));
            return new DataSet(name, pixels, [.. list.SelectMany(p => p.Labels)], 3, CifarBinary.Side, CifarBinary.Side, names, fp);
        }
        return new TrainTestSplit(Make("cifar-10/train", parts[..5]), Make("cifar-10/test", parts[5..]));
    }
}
