using System.Security.Cryptography;

namespace InitLab.Data;

/// <summary>
/// The data sets InitLab knows, with pinned download locations and checksums. The MNIST values
/// are those of the official files; the CIFAR-10 values are of the official <c>.bin</c> files and
/// of the gzip forms staged in the shared data folder.
/// </summary>
public static class DataCatalog
{
    // torchvision's long-standing mirror is listed after LeCun's site, which often refuses automated downloads.
    private static PinnedFile MnistFile(string name, string gzSha, long gzSize, string rawMd5) =>
        new(name, gzSha, gzSize, null, rawMd5,
            [$"http://yann.lecun.com/exdb/mnist/{name}.gz", $"https://ossci-datasets.s3.amazonaws.com/mnist/{name}.gz"]);

    /// <summary>MNIST: four IDX files under <c>mnist/</c>.</summary>
    public static readonly CatalogEntry Mnist = new("mnist", "mnist",
    [
        MnistFile("train-images-idx3-ubyte", "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609", 9_912_422, "6bbc9ace898e44ae57da46a324031adb"),
        MnistFile("train-labels-idx1-ubyte", "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c", 28_881, "a25bea736e30d166cdddb491f175f624"),
        MnistFile("t10k-images-idx3-ubyte", "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6", 1_648_877, "2646ac647ad5339dbf082846283269ea"),
        MnistFile("t10k-labels-idx1-ubyte", "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6", 4_542, "27ae3e4e09519cfbb04c329615203637"),
    ]);

    /// <summary>CIFAR-10 binary version: five training batches and one test batch under <c>cifar-10-batches-bin/</c>.</summary>
    public static readonly CatalogEntry Cifar10 = new("cifar-10", "cifar-10-batches-bin",
    [
        new("data_batch_1.bin", "6fcee3c4b6ea120cf82b263e2e9fe932e7edf7daf530e8b8ed62c178f70910c6", 28_313_767, "cee916563c9f80d84e3cc88e17fdc0941787f1244f00a67874d45b261883ada5", "5dd7e06a14cb22eb9f671a540d1b7c25", []),
        new("data_batch_2.bin", "fdda9af5bfc1ff90c0018a3c997cc37619077ae8e4e7f1238323a8259607add2", 28_346_891, "a591ca11fa1708a91ee40f54b3da4784ccd871ecf2137de63f51ada8b3fa57ed", "5ea93a67294ea407fff1d09f752e9692", []),
        new("data_batch_3.bin", "6cfabbc0ca93a74e247cf16f68544c0b2162576f7e2aa8d8e5d73778cbdfe628", 28_358_756, "bbe8596564c0f86427f876058170b84dac6670ddf06d79402899d93ceea26f67", "942cd6a4bcdd0dd3c604fbe906cb4421", []),
        new("data_batch_4.bin", "361042113c9a826b76ab9f91d499ae3102fd43ece9af030844a33b4d801c2743", 28_352_478, "014e562d6e23c72197cc727519169a60359f5eccd8945ad5a09d710285ff4e48", "ae636b3ba5c66a11e91e8cb52e771fcb", []),
        new("data_batch_5.bin", "4c618c86d699c20baa688bcbc1ca629a1c2e9bbe7647d66c2e6869b025174b12", 28_328_565, "755304fc0b379caeae8c14f0dac912fbc7d6cd469eb67a1029a08a39453a9add", "53f37980c15c3d472c316c40844f3f0d", []),
        new("test_batch.bin", "769dbbdb7f3fb0f1a165fdea73dde4ffa43f7218019984b6fd41eb85430846ac", 28_330_804, "8e2eb146ae340b09e24670f29cabc6326dba54da8789dab6768acf480273f65b", "803d5f7f4d78ea53de84dbe85f74fb6d", []),
    ], new PinnedArchive("cifar-10-binary.tar.gz", ["https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz"], "c32a1d4ab5d03f1284b67883e8d87530", "cifar-10-batches-bin"));

    /// <summary>CIFAR-100 binary version under <c>cifar-100-binary/</c>; no per-file checksums are pinned (only the official archive's MD5 is published).</summary>
    public static readonly CatalogEntry Cifar100 = new("cifar-100", "cifar-100-binary",
    [
        new("train.bin", null, null, null, null, []),
        new("test.bin", null, null, null, null, []),
    ], new PinnedArchive("cifar-100-binary.tar.gz", ["https://www.cs.toronto.edu/~kriz/cifar-100-binary.tar.gz"], "03b5dce01913d631647c71ecec9e9cb8", "cifar-100-binary"));

    /// <summary>
    /// The staged greyscale CIFAR-100 derivative under <c>cifar-100-grey/</c> (its own layout, see <see cref="Data.Cifar100Grey"/>);
    /// checksums from the shared data README. Not downloadable: it exists only where it was staged.
    /// </summary>
    public static readonly CatalogEntry Cifar100Grey = new("cifar-100-grey", "cifar-100-grey",
    [
        new("train.bin", "3aae093bf9f50918e8349e89a687ce31f7793112f9bf43ef77c15bb25efc8f82", 47_016_731, "5064a8351912d8c0bede598d7336041766d8818c68dbd6dc0721da00073f2722", null, []),
        new("test.bin", "999bb25b55e8b1aaad908ac67be4b077ad4c8f69eee2932e3126a115045be293", 9_429_321, "0c81927998266cbb5ca9d53d662820616306b909ddafca44ca3643150a55a269", null, []),
        new("train_filenames.txt", null, null, "a52c5178ef8d63524a6ef488842da19e0b63b390cb564b56496fff077a45ba1f", null, []),
        new("test_filenames.txt", null, null, "c9ec737e8de1982fb841ae737cfc15520d605a0abbf1e504a204b24ef9ccfba6", null, []),
        new("fine_label_names.txt", null, null, "4a53f81a8af29bb6aa646bfe2c455db1b061edfde82a39c0cfc313ef536c681b", null, []),
        new("coarse_label_names.txt", null, null, "14e28b5b70e3d8a29704b0d9f8c5985cca5f3c3d08ea043dcc87a036df37a2b3", null, []),
    ]);

    /// <summary>Chars74K English handwritten, under <c>chars74k/English/Hnd/</c>; checked through its <c>SHA256SUMS</c> list, whose own SHA-256 is pinned.</summary>
    public static readonly CatalogEntry Chars74KHnd = new("chars74k-hnd", "chars74k/English/Hnd",
    [
        new("SHA256SUMS", null, null, "eb2b010514c91e2f55e2680c8121c246b229ee24c3ad336c622aa27df7f35d00", null, []),
    ]);

    /// <summary>Every known data set.</summary>
    public static readonly IReadOnlyList<CatalogEntry> All = [Mnist, Cifar10, Cifar100, Cifar100Grey, Chars74KHnd];

    /// <summary>Finds a catalog entry by name (case-insensitive), or null.</summary>
    public static CatalogEntry? Find(string name) =>
        All.FirstOrDefault(e => string.Equals(e.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>Where <paramref name="file"/> of <paramref name="entry"/> is under <paramref name="root"/>, gzipped or raw; null if absent.</summary>
    public static string? Locate(string root, CatalogEntry entry, PinnedFile file)
    {
        string dir = Path.Combine(root, entry.Folder);
        foreach (var candidate in new[] { file.Name + ".gz", file.Name })
        {
            var p = Path.Combine(dir, candidate);
            if (File.Exists(p)) return p;
        }
        return null;
    }

    /// <summary>Checks one file's bytes as stored against the pinned checksum of its form (gzipped or raw).</summary>
    public static FileCheck Check(string root, CatalogEntry entry, PinnedFile file)
    {
        var path = Locate(root, entry, file);
        if (path is null) return new FileCheck(file, null, ChecksumStatus.Missing, null, null);
        using var stream = File.OpenRead(path);
        return Compare(file, path, stream);
    }

    private static FileCheck Compare(PinnedFile file, string path, Stream stream)
    {
        bool gz = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase);
        string? expectedSha = gz ? file.GzipSha256 : file.RawSha256;
        if (expectedSha is not null)
        {
            string sha = Convert.ToHexStringLower(SHA256.HashData(stream));
            return new FileCheck(file, path, Eq(sha, expectedSha) ? ChecksumStatus.Match : ChecksumStatus.Mismatch, sha, expectedSha);
        }
        if (!gz && file.RawMd5 is not null)
        {
            string md5 = Convert.ToHexStringLower(MD5.HashData(stream));
            return new FileCheck(file, path, Eq(md5, file.RawMd5) ? ChecksumStatus.Match : ChecksumStatus.Mismatch, md5, file.RawMd5);
        }
        return new FileCheck(file, path, ChecksumStatus.Unpinned, Convert.ToHexStringLower(SHA256.HashData(stream)), null);
    }

    private static bool Eq(string a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);

    /// <summary>Throws when an already-read file does not match its pinned checksum (used by loaders' verify options).</summary>
    internal static void VerifyOrThrow(CatalogEntry entry, SourceContent source)
    {
        string path = source.Path, fileSha256 = source.Sha256;
        bool gz = source.Gzipped;
        string name = Path.GetFileName(path);
        if (name.EndsWith(".gz", StringComparison.OrdinalIgnoreCase)) name = name[..^3];
        name = name.Replace(".idx", "-idx", StringComparison.Ordinal);
        var file = entry.Files.FirstOrDefault(f => f.Name == name)
                   ?? throw new DataFormatException(path, -1, $"a file of {entry.Name} with a pinned checksum", "an unknown file name");
        if (gz && file.GzipSha256 is not null && !Eq(fileSha256, file.GzipSha256))
            throw new DataFormatException(path, -1, $"SHA-256 {file.GzipSha256}", fileSha256);
        if (!gz)
        {
            if (file.RawSha256 is not null && !Eq(fileSha256, file.RawSha256))
                throw new DataFormatException(path, -1, $"SHA-256 {file.RawSha256}", fileSha256);
            if (file.RawSha256 is null && file.RawMd5 is not null)
            {
                using var hash = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
                hash.AppendData(source.Header);
                hash.AppendData(source.BodySpan);
                string md5 = Convert.ToHexStringLower(hash.GetHashAndReset());
                if (!Eq(md5, file.RawMd5)) throw new DataFormatException(path, -1, $"MD5 {file.RawMd5}", md5);
            }
        }
    }
}
