using System.Security.Cryptography;

namespace InitLab.Data;

/// <summary>
/// The content of one source file, decompressed if it was gzip, split into a fixed-size header and the body
/// that follows, with the SHA-256 of the file as stored. Splitting lets readers take the body array as is
/// (no copy of tens of megabytes) when a format has a header in front of its payload.
/// </summary>
internal sealed record SourceContent(string Path, byte[] Header, byte[] Body, int BodyLength, string Sha256, bool Gzipped)
{
    public ReadOnlySpan<byte> BodySpan => Body.AsSpan(0, BodyLength);

    public long Length => Header.Length + (long)BodyLength;

    /// <summary>The body as an exact-length array: the buffer itself when it fits exactly, else a copy.</summary>
    public byte[] TakeBody() => Body.Length == BodyLength ? Body : Body.AsSpan(0, BodyLength).ToArray();
}

/// <summary>Reads source files, raw or gzipped (detected by the gzip magic, not the name).</summary>
internal static class SourceFile
{
    /// <summary>No supported file decompresses to more than this (CIFAR-100 train is 154 MB); larger means corrupt or hostile.</summary>
    public const long MaxContentBytes = 1L << 30;

    /// <summary>Reads a file; the first <paramref name="headerBytes"/> bytes of its content go to <see cref="SourceContent.Header"/> (fewer if it is shorter).</summary>
    public static SourceContent Read(string path, int headerBytes = 0)
    {
        try
        {
            if (!File.Exists(path)) throw new FileNotFoundException($"{path}: file not found", path);
            // Sized from the open stream, never from the directory entry: a symlink's entry gives the link's size.
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
            long size = stream.Length;
            if (size > MaxContentBytes)
                throw new DataFormatException(path, -1, $"at most {MaxContentBytes} bytes", $"{size} bytes");
            var magic = new byte[Math.Min(2, (int)size)];
            stream.ReadExactly(magic);
            stream.Position = 0;
            if (IsGzip(magic))
            {
                var raw = new byte[size];
                stream.ReadExactly(raw);
                return FromBytes(path, raw, headerBytes);
            }
            // Raw file: read header and body into their own arrays, hashing both, so the body is never copied.
            var header = new byte[Math.Min(headerBytes, (int)size)];
            stream.ReadExactly(header);
            var body = GC.AllocateUninitializedArray<byte>((int)(size - header.Length));
            stream.ReadExactly(body);
            using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            sha.AppendData(header);
            sha.AppendData(body);
            return new SourceContent(path, header, body, body.Length, Convert.ToHexStringLower(sha.GetHashAndReset()), false);
        }
        catch (IOException e) when (e is not FileNotFoundException)
        {
            throw new IOException($"{path}: {e.Message}", e);
        }
    }

    /// <summary>The same as <see cref="Read"/> for bytes already in memory (used by the fuzz tests).</summary>
    public static SourceContent FromBytes(string name, byte[] raw, int headerBytes = 0)
    {
        string sha = Convert.ToHexStringLower(SHA256.HashData(raw));
        if (IsGzip(raw)) return Gzip.Decompress(name, raw, headerBytes, sha);
        int h = Math.Min(headerBytes, raw.Length);
        return new SourceContent(name, raw[..h], raw[h..], raw.Length - h, sha, false);
    }

    public static bool IsGzip(ReadOnlySpan<byte> raw) => raw.Length >= 2 && raw[0] == 0x1F && raw[1] == 0x8B;
}
