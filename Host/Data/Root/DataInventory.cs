using System.Security.Cryptography;

namespace InitLab.Data;

/// <summary>Record count and per-class counts of one split of a data set.</summary>
/// <param name="Split">"train", "test" or "all".</param>
/// <param name="Records">Number of images.</param>
/// <param name="PerClass">Images per class, indexed by label.</param>
/// <param name="ClassNames">Class names, indexed by label.</param>
public sealed record SplitCount(string Split, int Records, IReadOnlyList<int> PerClass, IReadOnlyList<string> ClassNames);

/// <summary>What <see cref="DataInventory"/> found for one catalog data set under a root.</summary>
/// <param name="Entry">The catalog entry.</param>
/// <param name="Directory">Where its files are, or null when absent.</param>
/// <param name="Files">Checksum results (empty when only listing).</param>
/// <param name="Splits">Record and per-class counts (empty when only listing or when loading failed).</param>
/// <param name="Notes">Further findings, e.g. a summary of per-file checks or the error that stopped loading.</param>
public sealed record DataSetReport(
    CatalogEntry Entry,
    string? Directory,
    IReadOnlyList<FileCheck> Files,
    IReadOnlyList<SplitCount> Splits,
    IReadOnlyList<string> Notes)
{
    /// <summary>The data set's files were found.</summary>
    public bool Present => Directory is not null;

    /// <summary>Present, no checksum mismatch or missing file, and loading succeeded.</summary>
    public bool Ok { get; init; }
}

/// <summary>Lists and verifies the catalog's data sets under a data root (used by <c>initlab data</c>).</summary>
public static class DataInventory
{
    /// <summary>Presence of every catalog data set under <paramref name="root"/>, without reading files.</summary>
    public static IReadOnlyList<DataSetReport> List(string root) =>
        DataCatalog.All.Select(e =>
        {
            var dir = FindDirectory(root, e);
            var missing = dir is null ? [] : DataRoot.MissingFiles(root, e);
            return new DataSetReport(e, dir, [], [], missing.Select(m => "missing " + m).ToList()) { Ok = dir is not null && missing.Count == 0 };
        }).ToList();

    /// <summary>The folder of <paramref name="entry"/> under <paramref name="root"/>, or null.</summary>
    public static string? FindDirectory(string root, CatalogEntry entry) => entry.Name switch
    {
        "mnist" => Mnist.FindDirectory(root),
        "cifar-10" => Cifar10.FindDirectory(root),
        "cifar-100" => Cifar100.FindDirectory(root),
        "cifar-100-grey" => Cifar100Grey.FindDirectory(root),
        "chars74k-hnd" => Chars74K.FindDirectory(root, Chars74KKind.Hnd),
        _ => System.IO.Directory.Exists(Path.Combine(root, entry.Folder)) ? Path.Combine(root, entry.Folder) : null,
    };

    /// <summary>Checks every pinned file's checksum, then loads the set and counts records per split and class.</summary>
    public static DataSetReport Verify(string root, CatalogEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var dir = FindDirectory(root, entry);
        if (dir is null) return new DataSetReport(entry, null, [], [], ["not found"]);
        var checks = entry.Files.Select(f => DataCatalog.Check(root, entry, f)).ToList();
        var notes = new List<string>();
        var splits = new List<SplitCount>();
        bool loaded = true;
        try
        {
            switch (entry.Name)
            {
                case "mnist":
                    AddSplits(splits, Mnist.Load(root));
                    break;
                case "cifar-10":
                    AddSplits(splits, Cifar10.Load(root));
                    break;
                case "cifar-100":
                    AddSplits(splits, Cifar100.Load(root));
                    break;
                case "cifar-100-grey":
                    AddSplits(splits, Cifar100Grey.Load(root));
                    break;
                case "chars74k-hnd":
                    checks.AddRange(CheckListedFiles(dir, notes));
                    var index = Chars74K.Index(root, new Chars74KOptions { DigitsOnly = false });
                    var per = new int[Chars74K.AllClassNames.Count];
                    foreach (var s in index) per[s.Label]++;
                    splits.Add(new SplitCount("all", index.Count, per, Chars74K.AllClassNames));
                    break;
            }
        }
        catch (Exception e) when (e is DataFormatException or IOException)
        {
            loaded = false;
            notes.Add($"loading failed: {e.Message}");
        }
        bool ok = loaded && checks.All(c => c.Status is ChecksumStatus.Match or ChecksumStatus.Unpinned);
        return new DataSetReport(entry, dir, checks, splits, notes) { Ok = ok };
    }

    private static void AddSplits(List<SplitCount> splits, TrainTestSplit d)
    {
        splits.Add(new SplitCount("train", d.Train.Count, d.Train.ClassCounts(), d.Train.ClassNames));
        splits.Add(new SplitCount("test", d.Test.Count, d.Test.ClassCounts(), d.Test.ClassNames));
    }

    /// <summary>Checks each file named in a SHA256SUMS list (sha256sum format); returns rows for files that do not match.</summary>
    private static IEnumerable<FileCheck> CheckListedFiles(string dir, List<string> notes)
    {
        var list = Path.Combine(dir, "SHA256SUMS");
        if (!File.Exists(list)) { notes.Add("no SHA256SUMS list to check the images against"); return []; }
        var bad = new List<FileCheck>();
        int total = 0;
        foreach (var line in File.ReadLines(list))
        {
            var parts = line.Split(' ', 2, StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length != 2) continue;
            string expected = parts[0], rel = parts[1].TrimStart('*').Trim();
            total++;
            var path = Path.Combine(dir, rel);
            var pin = new PinnedFile(rel, null, null, expected, null, []);
            if (!File.Exists(path)) { bad.Add(new FileCheck(pin, null, ChecksumStatus.Missing, null, expected)); continue; }
            using var f = File.OpenRead(path);
            var actual = Convert.ToHexStringLower(SHA256.HashData(f));
            if (!string.Equals(actual, expected, StringComparison.OrdinalIgnoreCase))
                bad.Add(new FileCheck(pin, path, ChecksumStatus.Mismatch, actual, expected));
        }
        notes.Add($"{total} files listed in SHA256SUMS: {total - bad.Count} match, {bad.Count} missing or different");
        return bad;
    }
}
