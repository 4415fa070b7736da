using System.IO.Compression;
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
            var info = new FileInfo(path);
            if (!info.Exists) throw new FileNotFoundException($"{path}: file not found", path);
            if (info.Length > MaxContentBytes)
                throw new DataFormatException(path, -1, $"at most {MaxContentBytes} bytes", $"{info.Length} bytes");
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
            var magic = new byte[Math.Min(2, (int)info.Length)];
            stream.ReadExactly(magic);
            stream.Position = 0;
            if (IsGzip(magic))
            {
                var raw = new byte[info.Length];
                stream.ReadExactly(raw);
                return FromBytes(path, raw, headerBytes);
            }
            // Raw file: read header and body into their own arrays, hashing both, so the body is never copied.
            var header = new byte[Math.Min(headerBytes, (int)info.Length)];
            stream.ReadExactly(header);
            var body = GC.AllocateUninitializedArray<byte>((int)(info.Length - header.Length));
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
        if (IsGzip(raw)) return Gunzip(name, raw, headerBytes, sha);
        int h = Math.Min(headerBytes, raw.Length);
        return new SourceContent(name, raw[..h], raw[h..], raw.Length - h, sha, false);
    }

    public static bool IsGzip(ReadOnlySpan<byte> raw) => raw.Length >= 2 && raw[0] == 0x1F && raw[1] == 0x8B;

    /// <summary>
    /// Decompresses a single-member gzip image and checks its trailer (CRC-32 and length), which is
    /// the only reliable sign that the stream was not cut short. The body buffer starts at the size the
    /// trailer announces, bounded by what deflate can expand the file to, and grows only with data
    /// actually produced, never with what a header inside claims.
    /// </summary>
    private static SourceContent Gunzip(string path, byte[] raw, int headerBytes, string sha)
    {
        if (raw.Length < 18)
            throw new DataFormatException(path, raw.Length, "a gzip stream of at least 18 bytes", $"{raw.Length} bytes (gzip ended early)");
        uint isize = BitConverter.ToUInt32(raw, raw.Length - 4);
        uint expectedCrc = BitConverter.ToUInt32(raw, raw.Length - 8);
        long bound = Math.Min(MaxContentBytes, (long)raw.Length * 1100);
        var header = new byte[headerBytes];
        int headerLength = 0;
        byte[] body;
        int length = 0;
        try
        {
            using var gz = new GZipStream(new MemoryStream(raw, writable: false), CompressionMode.Decompress);
            while (headerLength < headerBytes)
            {
                int n = gz.Read(header, headerLength, headerBytes - headerLength);
                if (n == 0) break;
                headerLength += n;
            }
            long hint = Math.Clamp((long)isize - headerLength, 0, bound);
            body = GC.AllocateUninitializedArray<byte>((int)Math.Max(hint, 16));
            while (true)
            {
                if (length == body.Length)
                {
                    // Probe one byte first so an exact-size buffer is not doubled needlessly.
                    int next = gz.ReadByte();
                    if (next < 0) break;
                    if (body.LongLength >= MaxContentBytes)
                        throw new DataFormatException(path, length, $"at most {MaxContentBytes} decompressed bytes", "more");
                    Array.Resize(ref body, (int)Math.Min(MaxContentBytes, body.LongLength * 2));
                    body[length++] = (byte)next;
                    continue;
                }
                int n = gz.Read(body, length, body.Length - length);
                if (n == 0) break;
                length += n;
            }
        }
        catch (InvalidDataException e)
        {
            throw new DataFormatException(path, -1, "a valid gzip stream", e.Message, e);
        }
        if (headerLength < headerBytes) header = header[..headerLength];
        long total = headerLength + (long)length;
        if ((uint)total != isize || Crc32.Compute(body.AsSpan(0, length), Crc32.Compute(header)) != expectedCrc)
            throw new DataFormatException(path, total,
                $"gzip trailer to match the data (length {isize}, CRC {expectedCrc:x8})",
                $"{total} bytes decompressed with another CRC (gzip ended early or is corrupt)");
        return new SourceContent(path, header, body, length, sha, true);
    }
}
