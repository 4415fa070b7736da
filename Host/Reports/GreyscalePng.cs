using System.Buffers.Binary;
using System.IO.Compression;

namespace InitLab.Reports;

/// <summary>
/// Minimal encoder for 8-bit greyscale PNG images, used to inline small tiles (filters, digits) in a
/// report as <c>data:</c> URIs without any image library.
/// </summary>
public static class GreyscalePng
{
    private static readonly uint[] CrcTable = BuildCrcTable();

    /// <summary>Encodes <paramref name="pixels"/> (row-major, one byte per pixel, 0 = black) as a PNG file.</summary>
    public static byte[] Encode(ReadOnlySpan<byte> pixels, int width, int height)
    {
        if (width <= 0 || height <= 0)
            throw new ArgumentException($"PNG size must be positive, got {width}×{height}.");
        if (pixels.Length != width * height)
            throw new ArgumentException(
                $"PNG of {width}×{height} needs {width * height} pixels, got {pixels.Length}.", nameof(pixels));

        // Each scanline is prefixed with filter type 0 (None): the tiles are tiny, so filtering gains nothing.
        var raw = new byte[height * (width + 1)];
        for (var y = 0; y < height; y++)
            pixels.Slice(y * width, width).CopyTo(raw.AsSpan(y * (width + 1) + 1));

        using var idat = new MemoryStream();
        using (var z = new ZLibStream(idat, CompressionLevel.Optimal, leaveOpen: true))
            z.Write(raw);

        using var png = new MemoryStream();
        png.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(0), width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = 8; // bit depth
        header[9] = 0; // colour type: greyscale
        // bytes 10..12: compression 0, filter method 0, no interlace
        WriteChunk(png, "IHDR", header);
        WriteChunk(png, "IDAT", idat.ToArray());
        WriteChunk(png, "IEND", []);
        return png.ToArray();
    }

    private static void WriteChunk(Stream s, string type, byte[] data)
    {
        Span<byte> buf = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(buf, data.Length);
        s.Write(buf);
        var typeBytes = new byte[4];
        for (var i = 0; i < 4; i++) typeBytes[i] = (byte)type[i];
        s.Write(typeBytes);
        s.Write(data);
        var crc = Crc32(Crc32(0xFFFFFFFFu, typeBytes), data) ^ 0xFFFFFFFFu;
        BinaryPrimitives.WriteUInt32BigEndian(buf, crc);
        s.Write(buf);
    }

    private static uint Crc32(uint crc, byte[] data)
    {
        foreach (var b in data) crc = CrcTable[(crc ^ b) & 0xFF] ^ (crc >> 8);
        return crc;
    }

    private static uint[] BuildCrcTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            var c = n;
            for (var k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            table[n] = c;
        }
        return table;
    }
}
