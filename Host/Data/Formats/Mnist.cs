using System.Security.Cryptography;

namespace InitLab.Data;

/// <summary>Reader for the MNIST handwritten digits in LeCun's IDX format, gzipped or raw.</summary>
public static class Mnist
{
    /// <summary>Class names: the digits "0".."9".</summary>
    public static readonly IReadOnlyList<string> ClassNames = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];

    /// <summary>Height and width of every MNIST image; a file whose header says otherwise is refused.</summary>
    public const int Side = 28;

    /// <summary>
    /// Finds the folder holding the MNIST files: <paramref name="root"/>/mnist if it exists, else <paramref name="root"/> itself
    /// when it holds the training images; null when neither does.
    /// </summary>
    public static string? FindDirectory(string root)
    {
        foreach (var dir in new[] { Path.Combine(root, "mnist"), root })
            if (Directory.Exists(dir) && FindFile(dir, "train-images", "idx3-ubyte") is not null)
                return dir;
        return null;
    }

    /// <summary>
    /// Loads the 60,000 training and 10,000 test images (1×28×28 bytes) and labels from <paramref name="root"/>
    /// (the data root or the MNIST folder itself). Files may be gzipped or raw; names as published
    /// (<c>train-images-idx3-ubyte[.gz]</c>, also <c>train-images.idx3-ubyte</c>).
    /// </summary>
    /// <exception cref="FileNotFoundException">A file is missing; the message names the folder and the file.</exception>
    /// <exception cref="DataFormatException">A file is corrupt or images and labels disagree.</exception>
    public static TrainTestSplit Load(string root, MnistOptions? options = null)
    {
        options ??= new MnistOptions();
        string dir = FindDirectory(root) ?? (Directory.Exists(Path.Combine(root, "mnist")) ? Path.Combine(root, "mnist") : root);
        // The four files decompress independently: do it in parallel (train images dominate).
        var files = Files
            .Select(f => FindFile(dir, f.Stem, f.Kind)
                         ?? throw new FileNotFoundException($"{dir}: MNIST file {f.Stem}-{f.Kind}[.gz] not found", Path.Combine(dir, $"{f.Stem}-{f.Kind}.gz")))
            .ToArray();
        var contents = new SourceContent[files.Length];
        ParallelRead.Run(files.Length, i => contents[i] = SourceFile.Read(files[i], Idx.HeaderBytes(i % 2 == 0 ? 3 : 1)));
        if (options.VerifyChecksums)
            foreach (var c in contents) DataCatalog.VerifyOrThrow(DataCatalog.Mnist, c);
        var train = Build("mnist/train", contents[0], contents[1]);
        var test = Build("mnist/test", contents[2], contents[3]);
        return new TrainTestSplit(train, test);
    }

    private static DataSet Build(string name, SourceContent images, SourceContent labels)
    {
        var (pixels, count, h, w) = Idx.ReadImages(images);
        // The header's dims are believed only if they are MNIST's: 14×56 has the same byte count and would
        // load, then fail far away (in the network's first layer or the final evaluation).
        if (h != Side || w != Side)
            throw new DataFormatException(images.Path, 8, $"{Side}×{Side} images (MNIST's geometry)", $"{h}×{w} in the IDX header");
        var y = Idx.ReadLabels(labels, ClassNames.Count);
        if (y.Length != count)
            throw new DataFormatException(labels.Path, 4, $"{count} labels (as many as images in {images.Path})", $"{y.Length}");
        string fp = Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.ASCII.GetBytes(images.Sha256 + labels.Sha256)));
        return new DataSet(name, pixels, y, 1, h, w, ClassNames, fp);
    }

    /// <summary>The four published files (name stem and IDX kind), in load order.</summary>
    internal static readonly (string Stem, string Kind)[] Files =
        [("train-images", "idx3-ubyte"), ("train-labels", "idx1-ubyte"), ("t10k-images", "idx3-ubyte"), ("t10k-labels", "idx1-ubyte")];

    internal static string? FindFile(string dir, string stem, string kind)
    {
        foreach (var name in new[] { $"{stem}-{kind}.gz", $"{stem}-{kind}", $"{stem}.{kind}.gz", $"{stem}.{kind}" })
        {
            var p = Path.Combine(dir, name);
            if (File.Exists(p)) return p;
        }
        return null;
    }
}
