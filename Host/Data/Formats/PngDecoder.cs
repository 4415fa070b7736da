using System.Buffers.Binary;
using StbImageSharp;

namespace InitLab.Data;

/// <summary>
/// Decodes PNG files to greyscale (BT.601 luma) with StbImageSharp. The header is validated first so
/// that a damaged IHDR cannot make the decoder allocate gigabytes: the image's raw size must be one
/// that the file's compressed bytes could possibly hold (deflate expands at most about 1032:1).
/// </summary>
public static class PngDecoder
{
    private static readonly byte[] Signature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>Largest accepted width or height.</summary>
    public const int MaxSide = 1 << 14;

    /// <summary>Decodes a PNG file to greyscale bytes, row-major.</summary>
    /// <exception cref="DataFormatException">Not a PNG, implausible header, or undecodable data.</exception>
    public static byte[] DecodeGrey(string path, out int width, out int height) =>
        DecodeGrey(path, File.ReadAllBytes(path), out width, out height);

    /// <summary>Decodes PNG bytes to greyscale; <paramref name="name"/> is used in error messages.</summary>
    /// <exception cref="DataFormatException">Not a PNG, implausible header, or undecodable data.</exception>
    public static byte[] DecodeGrey(string name, byte[] png, out int width, out int height)
    {
        ArgumentNullException.ThrowIfNull(png);
        CheckHeader(name, png);
        ImageResult image;
        try
        {
            image = ImageResult.FromMemory(png, ColorComponents.RedGreenBlue);
        }
        catch (Exception e)
        {
            // The decoder throws assorted exception types for damaged data; present them as one.
            throw new DataFormatException(name, -1, "a decodable PNG image", $"{e.GetType().Name}: {e.Message}", e);
        }
        if (image is null || image.Data is null || image.Width <= 0 || image.Height <= 0 || image.Data.Length < image.Width * image.Height * 3)
            throw new DataFormatException(name, -1, "a decodable PNG image", "no pixel data");
        width = image.Width;
        height = image.Height;
        var grey = new byte[width * height];
        PixelTransforms.LumaInterleaved(image.Data.AsSpan(0, width * height * 3), 3, grey);
        return grey;
    }

    private static void CheckHeader(string name, byte[] png)
    {
        if (png.Length < 33 || !png.AsSpan(0, 8).SequenceEqual(Signature))
            throw new DataFormatException(name, 0, "the PNG signature and IHDR chunk", png.Length < 33 ? $"only {png.Length} bytes" : "other bytes");
        if (BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(8)) != 13 || !png.AsSpan(12, 4).SequenceEqual("IHDR"u8))
            throw new DataFormatException(name, 8, "a 13-byte IHDR chunk first", "another chunk");
        uint w = BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(16)), h = BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(20));
        if (w == 0 || h == 0 || w > MaxSide || h > MaxSide)
            throw new DataFormatException(name, 16, $"width and height in 1..{MaxSide}", $"{w}×{h}");
        int depth = png[24], colour = png[25];
        int channels = colour switch { 0 => 1, 2 => 3, 3 => 1, 4 => 2, 6 => 4, _ => 0 };
        if (channels == 0 || depth is not (1 or 2 or 4 or 8 or 16))
            throw new DataFormatException(name, 24, "a valid bit depth and colour type", $"depth {depth}, colour type {colour}");
        long raw = h * (1 + ((long)w * channels * depth + 7) / 8);
        if (raw > (long)png.Length * 1040)
            throw new DataFormatException(name, 16, $"an image size the file's {png.Length} bytes can hold", $"{w}×{h} ({raw} raw bytes)");
        CheckChunks(name, png);
    }

    /// <summary>
    /// Walks the chunk list: every chunk must fit in the file and carry a correct CRC, and IEND must come.
    /// The decoder sizes buffers from chunk lengths before reading them, so lengths are checked here first.
    /// </summary>
    private static void CheckChunks(string name, byte[] png)
    {
        long at = 8;
        bool sawData = false;
        while (true)
        {
            if (at + 12 > png.Length)
                throw new DataFormatException(name, at, "another chunk (or IEND)", $"end of file after {png.Length} bytes");
            uint length = BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan((int)at));
            if (length > png.Length - at - 12)
                throw new DataFormatException(name, at, $"a chunk of at most {png.Length - at - 12} bytes", $"a chunk claiming {length} bytes (truncated file)");
            var typeAndData = png.AsSpan((int)at + 4, 4 + (int)length);
            uint crc = BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan((int)(at + 8 + length)));
            if (Crc32.Compute(typeAndData) != crc)
                throw new DataFormatException(name, at, "a chunk with a correct CRC", "a corrupt chunk");
            var type = typeAndData[..4];
            if (type.SequenceEqual("IDAT"u8)) sawData = true;
            if (type.SequenceEqual("IEND"u8))
            {
                if (!sawData) throw new DataFormatException(name, at, "image data (IDAT) before IEND", "none");
                return;
            }
            at += 12 + length;
        }
    }
}
