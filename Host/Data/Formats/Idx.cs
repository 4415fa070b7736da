using System.Buffers.Binary;

namespace InitLab.Data;

/// <summary>A parsed IDX file (LeCun's format): dimensions and the offset of the unsigned-byte payload.</summary>
internal readonly record struct IdxHeader(int[] Dims, int DataOffset, long DataLength);

/// <summary>
/// Parser for IDX files of unsigned bytes. Every header field is checked against the real content
/// length before anything is allocated, so a header claiming 10^12 images costs nothing.
/// </summary>
internal static class Idx
{
    public const byte UnsignedByte = 0x08;

    /// <summary>Header size of an IDX file with <paramref name="dims"/> dimensions: magic plus one int32 per dimension.</summary>
    public static int HeaderBytes(int dims) => 4 + 4 * dims;

    /// <summary>Parses the header; <paramref name="content"/> must have been read with <see cref="HeaderBytes"/>(expectedDims).</summary>
    public static IdxHeader ReadHeader(SourceContent content, int expectedDims)
    {
        var s = content.Header.AsSpan();
        string path = content.Path;
        if (s.Length < 4)
            throw new DataFormatException(path, s.Length, "a 4-byte IDX magic number", $"end of file after {s.Length} bytes");
        uint magic = BinaryPrimitives.ReadUInt32BigEndian(s);
        uint expectedMagic = (uint)(UnsignedByte << 8 | expectedDims);
        if (magic != expectedMagic)
            throw new DataFormatException(path, 0, $"IDX magic 0x{expectedMagic:x8} (unsigned bytes, {expectedDims} dimension(s))", $"0x{magic:x8}");
        int headerLength = HeaderBytes(expectedDims);
        if (s.Length < headerLength)
            throw new DataFormatException(path, s.Length, $"a {headerLength}-byte IDX header", $"end of file after {s.Length} bytes");
        if (content.Header.Length != headerLength)
            throw new InvalidOperationException($"{path}: read with a {content.Header.Length}-byte header, IDX needs {headerLength}");
        var dims = new int[expectedDims];
        long product = 1;
        for (int d = 0; d < expectedDims; d++)
        {
            uint v = BinaryPrimitives.ReadUInt32BigEndian(s[(4 + 4 * d)..]);
            if (v > int.MaxValue)
                throw new DataFormatException(path, 4 + 4 * d, $"dimension {d} at most {int.MaxValue}", v.ToString());
            dims[d] = (int)v;
            // Saturate rather than overflow; any product above the content length is rejected below.
            product = product > long.MaxValue / Math.Max(1L, v) ? long.MaxValue : product * v;
        }
        long available = content.BodyLength;
        if (product != available)
            throw new DataFormatException(path, headerLength,
                $"{product} data bytes for dimensions {string.Join("×", dims)}",
                product > available ? $"only {available} (file truncated or header wrong)" : $"{available} (trailing bytes)");
        return new IdxHeader(dims, headerLength, product);
    }

    /// <summary>Reads labels (1-D IDX) and checks each is below <paramref name="classes"/>.</summary>
    public static int[] ReadLabels(SourceContent content, int classes)
    {
        var h = ReadHeader(content, 1);
        var s = content.BodySpan;
        var labels = new int[h.Dims[0]];
        for (int i = 0; i < labels.Length; i++)
        {
            int v = s[i];
            if (v >= classes)
                throw new DataFormatException(content.Path, h.DataOffset + i, $"a label in 0..{classes - 1}", v.ToString());
            labels[i] = v;
        }
        return labels;
    }

    /// <summary>Reads images (3-D IDX, N×H×W) into a new byte array.</summary>
    public static (byte[] Pixels, int Count, int Height, int Width) ReadImages(SourceContent content)
    {
        var h = ReadHeader(content, 3);
        if (h.Dims[1] == 0 || h.Dims[2] == 0)
            throw new DataFormatException(content.Path, 8, "positive image height and width", $"{h.Dims[1]}×{h.Dims[2]}");
        // The header was read apart, so the body is exactly the pixels: taken without copying.
        return (content.TakeBody(), h.Dims[0], h.Dims[1], h.Dims[2]);
    }
}
