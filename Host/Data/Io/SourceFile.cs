using System.IO.Compression;
using System.Security.Cryptography;

namespace InitLab.Data;

/// <summary>The bytes of one source file, decompressed if it was gzip, with the SHA-256 of the file as stored.</summary>
internal sealed record SourceContent(string Path, byte[] Data, int Length, string Sha256, bool Gzipped)
{
    public ReadOnlySpan<byte> Span => Data.AsSpan(0, Length);
}

/// <summary>Reads source files, raw or gzipped (detected by the gzip magic, not the name).</summary>
internal static class SourceFile
{
    /// <summary>No supported file decompresses to more than this (CIFAR-100 train is 154 MB); larger means corrupt or hostile.</summary>
    public const long MaxContentBytes = 1L << 30;

    public static SourceContent Read(string path)
    {
        byte[] raw;
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists) throw new FileNotFoundException($"{path}: file not found", path);
            if (info.Length > MaxContentBytes)
                throw new DataFormatException(path, -1, $"at most {MaxContentBytes} bytes", $"{info.Length} bytes");
            raw = File.ReadAllBytes(path);
        }
        catch (IOException e) when (e is not FileNotFoundException)
        {
            throw new IOException($"{path}: {e.Message}", e);
        }
        string sha = Convert.ToHexStringLower(SHA256.HashData(raw));
        if (IsGzip(raw))
        {
            var (data, length) = Gunzip(path, raw);
            return new SourceContent(path, data, length, sha, true);
        }
        return new SourceContent(path, raw, raw.Length, sha, false);
    }

    /// <summary>The same as <see cref="Read"/> for bytes already in memory (used by tests and archive members).</summary>
    public static SourceContent FromBytes(string name, byte[] raw)
    {
        string sha = Convert.ToHexStringLower(SHA256.HashData(raw));
        if (!IsGzip(raw)) return new SourceContent(name, raw, raw.Length, sha, false);
        var (data, length) = Gunzip(name, raw);
        return new SourceContent(name, data, length, sha, true);
    }

    public static bool IsGzip(ReadOnlySpan<byte> raw) => raw.Length >= 2 && raw[0] == 0x1F && raw[1] == 0x8B;

    /// <summary>
    /// Decompresses a single-member gzip image and checks its trailer (CRC-32 and length), which is
    /// the only reliable sign that the stream was not cut short. The output buffer grows with the
    /// data actually produced, never with what a header claims.
    /// </summary>
    public static (byte[] Data, int Length) Gunzip(string path, byte[] raw)
    {
        if (raw.Length < 18)
            throw new DataFormatException(path, raw.Length, "a gzip stream of at least 18 bytes", $"{raw.Length} bytes (gzip ended early)");
        // ISIZE is a hint for the initial capacity only (bounded), never trusted for allocation.
        uint isize = BitConverter.ToUInt32(raw, raw.Length - 4);
        uint expectedCrc = BitConverter.ToUInt32(raw, raw.Length - 8);
        int capacity = (int)Math.Clamp(isize, 1024u, (uint)Math.Min(MaxContentBytes, (long)raw.Length * 1100));
        var buffer = new byte[capacity];
        int length = 0;
        try
        {
            using var gz = new GZipStream(new MemoryStream(raw, writable: false), CompressionMode.Decompress);
            while (true)
            {
                if (length == buffer.Length)
                {
                    // Probe one byte first so an exact-size buffer is not doubled needlessly.
                    int next = gz.ReadByte();
                    if (next < 0) break;
                    if (buffer.LongLength >= MaxContentBytes)
                        throw new DataFormatException(path, length, $"at most {MaxContentBytes} decompressed bytes", "more");
                    Array.Resize(ref buffer, (int)Math.Min(MaxContentBytes, buffer.LongLength * 2));
                    buffer[length++] = (byte)next;
                    continue;
                }
                int n = gz.Read(buffer, length, buffer.Length - length);
                if (n == 0) break;
                length += n;
            }
        }
        catch (InvalidDataException e)
        {
            throw new DataFormatException(path, -1, "a valid gzip stream", e.Message, e);
        }
        if ((uint)length != isize || Crc32.Compute(buffer.AsSpan(0, length)) != expectedCrc)
            throw new DataFormatException(path, length,
                $"gzip trailer to match the data (length {isize}, CRC {expectedCrc:x8})",
                $"{length} bytes decompressed with another CRC (gzip ended early or is corrupt)");
        return (buffer, length);
    }
}
