using System.IO.Compression;

namespace InitLab.Data;

/// <summary>
/// Decompresses gzip files member by member (RFC 1952), so a valid multi-member file is accepted and
/// an undecodable one is named for what is wrong with it: a bad header, deflate data cut short, a
/// trailer whose CRC-32 or length disagrees with the data, or bytes after the last member.
/// GZipStream alone cannot do this: it returns short output for a truncated stream and reports every
/// other fault as "unsupported compression method".
/// </summary>
internal static class Gzip
{
    private const int HeaderBytes = 10, TrailerBytes = 8;
    private const byte FlagHeaderCrc = 0x02, FlagExtra = 0x04, FlagName = 0x08, FlagComment = 0x10, FlagsReserved = 0xE0;

    /// <summary>
    /// Decompresses every member of <paramref name="raw"/>; the first <paramref name="headerBytes"/> bytes of
    /// the content go to the header array (fewer if the content is shorter), the rest to the body.
    /// </summary>
    public static SourceContent Decompress(string path, byte[] raw, int headerBytes, string sha)
    {
        var sink = new ContentSink(path, headerBytes, SizeHint(raw));
        int at = 0, member = 0;
        do
        {
            member++;
            at = DecompressMember(path, raw, at, member, sink);
        } while (at < raw.Length && IsMagic(raw, at));
        if (at < raw.Length)
            throw new DataFormatException(path, -1, $"end of file or another gzip member after member {member}",
                $"{raw.Length - at} trailing byte(s) at compressed byte {at}");
        return new SourceContent(path, sink.Header, sink.Body, sink.BodyLength, sha, true);
    }

    private static bool IsMagic(byte[] raw, int at) => at + 1 < raw.Length && raw[at] == 0x1F && raw[at + 1] == 0x8B;

    /// <summary>The body buffer starts at the size the last trailer announces, bounded by what deflate can expand the file to.</summary>
    private static long SizeHint(byte[] raw) =>
        raw.Length < TrailerBytes ? 0 : Math.Min(Math.Min(SourceFile.MaxContentBytes, (long)raw.Length * 1100), BitConverter.ToUInt32(raw, raw.Length - 4));

    /// <summary>Decompresses the member starting at <paramref name="start"/>; returns where the next one starts.</summary>
    private static int DecompressMember(string path, byte[] raw, int start, int member, ContentSink sink)
    {
        string where = member == 1 ? "gzip header" : $"gzip member {member}'s header (at compressed byte {start})";
        int p = start;
        if (raw.Length - p < HeaderBytes)
            throw new DataFormatException(path, -1, $"a {HeaderBytes}-byte {where}", $"end of file after {raw.Length - p} byte(s) (truncated)");
        if (raw[p + 2] != 8)
            throw new DataFormatException(path, -1, $"compression method 8 (deflate) in the {where}", $"method {raw[p + 2]}");
        byte flags = raw[p + 3];
        if ((flags & FlagsReserved) != 0)
            throw new DataFormatException(path, -1, $"reserved flag bits clear in the {where}", $"flags 0x{flags:x2}");
        p += HeaderBytes;
        if ((flags & FlagExtra) != 0)
        {
            if (raw.Length - p < 2) throw HeaderCut(path, where);
            p += 2 + (raw[p] | raw[p + 1] << 8);
            if (p > raw.Length) throw HeaderCut(path, where);
        }
        if ((flags & FlagName) != 0) p = SkipZeroTerminated(path, raw, p, where);
        if ((flags & FlagComment) != 0) p = SkipZeroTerminated(path, raw, p, where);
        if ((flags & FlagHeaderCrc) != 0)
        {
            if (raw.Length - p < 2) throw HeaderCut(path, where);
            ushort stored = (ushort)(raw[p] | raw[p + 1] << 8);
            ushort actual = (ushort)Crc32.Compute(raw.AsSpan(start, p - start));
            if (stored != actual)
                throw new DataFormatException(path, -1, $"header CRC 0x{actual:x4} in the {where}", $"0x{stored:x4}");
            p += 2;
        }

        var input = new TrackingStream(raw, p);
        long before = sink.Total;
        uint crc = 0;
        try
        {
            using var inflate = new DeflateStream(input, CompressionMode.Decompress, leaveOpen: true);
            crc = sink.CopyFrom(inflate);
        }
        catch (InvalidDataException e)
        {
            throw new DataFormatException(path, -1, $"valid deflate data in gzip member {member}",
                $"undecodable data between compressed bytes {input.LastReadStart} and {input.Consumed} (corrupt)", e);
        }
        long produced = sink.Total - before;
        // Deflate streams end themselves; running out of input first means the file was cut short.
        if (input.SawEnd)
            throw new DataFormatException(path, -1, $"gzip member {member} to end its deflate data",
                $"end of file after {raw.Length} compressed bytes, {sink.Total} decompressed (truncated)");
        return FindTrailer(path, raw, input, member, crc, (uint)produced);
    }

    /// <summary>
    /// The deflate data ended within the last chunk the inflater read, so the trailer starts there: at the
    /// position whose 8 bytes are the CRC and length of the data (a chance match is 1 in 2^64). When none is,
    /// a trailer that ends the file or precedes another member and matches in one field says which one is wrong.
    /// </summary>
    private static int FindTrailer(string path, byte[] raw, TrackingStream input, int member, uint crc, uint length)
    {
        int from = input.LastReadStart, to = Math.Min(raw.Length - TrailerBytes, input.Consumed);
        bool Boundary(int q) => q + TrailerBytes == raw.Length || IsMagic(raw, q + TrailerBytes);
        uint Crc(int q) => BitConverter.ToUInt32(raw, q);
        uint Size(int q) => BitConverter.ToUInt32(raw, q + 4);
        for (int q = from; q <= to; q++)
            if (Crc(q) == crc && Size(q) == length) return q + TrailerBytes;
        for (int q = from; q <= to; q++)
            if (Boundary(q) && Size(q) == length)
                throw new DataFormatException(path, -1, $"gzip member {member}'s trailer CRC-32 {crc:x8} (of the decompressed data)",
                    $"{Crc(q):x8} (data corrupt)");
        for (int q = from; q <= to; q++)
            if (Boundary(q) && Crc(q) == crc)
                throw new DataFormatException(path, -1, $"gzip member {member}'s trailer length {length} (of the decompressed data)",
                    $"{Size(q)} (trailer corrupt)");
        throw new DataFormatException(path, -1, $"gzip member {member}'s 8-byte trailer (CRC-32 {crc:x8}, length {length}) after its deflate data",
            raw.Length - input.LastReadStart < TrailerBytes + 1 ? "end of file (trailer truncated)" : "a trailer that matches neither (corrupt or truncated)");
    }

    private static int SkipZeroTerminated(string path, byte[] raw, int p, string where)
    {
        int end = Array.IndexOf(raw, (byte)0, p);
        if (end < 0) throw HeaderCut(path, where);
        return end + 1;
    }

    private static DataFormatException HeaderCut(string path, string where) =>
        new(path, -1, $"a complete {where}", "end of file inside it (truncated)");

    /// <summary>Reads <c>raw[start..]</c>, remembering where the last read began and whether the end was reached.</summary>
    private sealed class TrackingStream(byte[] raw, int start) : Stream
    {
        private int position = start;

        public int LastReadStart { get; private set; } = start;
        public bool SawEnd { get; private set; }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            int n = Math.Min(buffer.Length, raw.Length - position);
            if (n == 0 && buffer.Length > 0) SawEnd = true;
            LastReadStart = position;
            raw.AsSpan(position, n).CopyTo(buffer);
            position += n;
            return n;
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => position; set => throw new NotSupportedException(); }
        public int Consumed => position;
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    /// <summary>
    /// Collects decompressed bytes: the first ones into the header array, the rest into a body buffer that
    /// grows only with data actually produced, never with what a header inside claims.
    /// </summary>
    private sealed class ContentSink(string path, int headerBytes, long bodyHint)
    {
        private byte[] header = new byte[headerBytes];
        private int headerLength;

        public byte[] Body { get; private set; } = GC.AllocateUninitializedArray<byte>((int)Math.Max(bodyHint - headerBytes, 16));
        public int BodyLength { get; private set; }
        public long Total => headerLength + (long)BodyLength;
        public byte[] Header => headerLength < header.Length ? header[..headerLength] : header;

        /// <summary>Copies everything <paramref name="source"/> produces; returns its CRC-32.</summary>
        public uint CopyFrom(Stream source)
        {
            uint crc = 0;
            while (headerLength < header.Length)
            {
                int n = source.Read(header, headerLength, header.Length - headerLength);
                if (n == 0) return crc;
                crc = Crc32.Compute(header.AsSpan(headerLength, n), crc);
                headerLength += n;
            }
            while (true)
            {
                if (BodyLength == Body.Length)
                {
                    // Probe one byte first so an exact-size buffer is not doubled needlessly.
                    int next = source.ReadByte();
                    if (next < 0) return crc;
                    if (Body.LongLength >= SourceFile.MaxContentBytes)
                        throw new DataFormatException(path, BodyLength, $"at most {SourceFile.MaxContentBytes} decompressed bytes", "more");
                    var body = Body;
                    Array.Resize(ref body, (int)Math.Min(SourceFile.MaxContentBytes, body.LongLength * 2));
                    Body = body;
                    Body[BodyLength] = (byte)next;
                    crc = Crc32.Compute(Body.AsSpan(BodyLength, 1), crc);
                    BodyLength++;
                    continue;
                }
                int read = source.Read(Body, BodyLength, Body.Length - BodyLength);
                if (read == 0) return crc;
                crc = Crc32.Compute(Body.AsSpan(BodyLength, read), crc);
                BodyLength += read;
            }
        }
    }
}
