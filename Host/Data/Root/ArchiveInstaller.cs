using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;

namespace InitLab.Data;

/// <summary>Unpacks a data set's official .tar.gz into its folder, checking each pinned member's SHA-256.</summary>
public static class ArchiveInstaller
{
    /// <summary>
    /// Extracts the members of <paramref name="entry"/>'s archive folder from <paramref name="archive"/> into
    /// <paramref name="targetDirectory"/>. Each member is written to a temporary name and moved into place only
    /// after its SHA-256 matched (when pinned), so nothing corrupt appears under a real name.
    /// </summary>
    /// <exception cref="DataFormatException">The archive is not a readable tar.gz, a pinned member is missing, or differs.</exception>
    public static void Extract(string archive, CatalogEntry entry, string targetDirectory)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var spec = entry.Archive ?? throw new ArgumentException($"{entry.Name} has no archive");
        Directory.CreateDirectory(targetDirectory);
        var wanted = entry.Files.ToDictionary(f => f.Name, StringComparer.Ordinal);
        var done = new HashSet<string>(StringComparer.Ordinal);
        string prefix = spec.MemberFolder.TrimEnd('/') + "/";
        try
        {
            using var file = File.OpenRead(archive);
            using var gz = new GZipStream(file, CompressionMode.Decompress);
            using var tar = new TarReader(gz);
            while (tar.GetNextEntry() is { } member)
            {
                string name = member.Name.StartsWith("./", StringComparison.Ordinal) ? member.Name[2..] : member.Name;
                if (member.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile) || member.DataStream is null) continue;
                if (!name.StartsWith(prefix, StringComparison.Ordinal)) continue;
                string rel = name[prefix.Length..];
                // Only plain file names directly in the member folder: never a path that could escape the target.
                if (rel.Length == 0 || rel.Contains('/') || rel.Contains('\\') || rel is "." or "..") continue;
                string target = Path.Combine(targetDirectory, rel), temp = target + ".extracting";
                using (var output = File.Create(temp))
                using (var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
                {
                    var buffer = new byte[1 << 16];
                    int n;
                    while ((n = member.DataStream.Read(buffer)) > 0)
                    {
                        output.Write(buffer, 0, n);
                        hash.AppendData(buffer, 0, n);
                    }
                    string sha = Convert.ToHexStringLower(hash.GetHashAndReset());
                    if (wanted.TryGetValue(rel, out var pin) && pin.RawSha256 is not null && !string.Equals(sha, pin.RawSha256, StringComparison.OrdinalIgnoreCase))
                    {
                        output.Close();
                        File.Delete(temp);
                        throw new DataFormatException($"{archive}:{name}", -1, $"SHA-256 {pin.RawSha256}", sha);
                    }
                }
                File.Move(temp, target, overwrite: true);
                done.Add(rel);
            }
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or EndOfStreamException)
        {
            throw new DataFormatException(archive, -1, "a readable .tar.gz archive", e.Message, e);
        }
        var missing = wanted.Keys.Where(k => !done.Contains(k)).ToList();
        if (missing.Count > 0)
            throw new DataFormatException(archive, -1, $"members {string.Join(", ", missing.Select(m => prefix + m))}", "archive without them");
    }

    /// <summary>True when every pinned file has a raw SHA-256, so members can be checked without trusting the archive's MD5.</summary>
    public static bool MembersPinned(CatalogEntry entry) => entry.Files.Count > 0 && entry.Files.All(f => f.RawSha256 is not null);
}
