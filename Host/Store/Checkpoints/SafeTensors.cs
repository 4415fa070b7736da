using System.Text;
using System.Text.Json;
using InitLab.Kernel;

namespace InitLab.Store;

/// <summary>
/// Reads and writes the safetensors format: u64 little-endian header length N, N bytes of JSON header
/// (<c>{name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {string: string}}</c>, padded with
/// spaces so the data starts 8-byte aligned), then the tensors' little-endian bytes, contiguous.
/// </summary>
public static class SafeTensors
{
    /// <summary>Largest header accepted when reading (the reference implementation's limit).</summary>
    public const long MaxHeaderBytes = 100_000_000;

    const string MetadataKey = "__metadata__";

    /// <summary>
    /// Writes <paramref name="tensors"/> (in this order) and <paramref name="metadata"/> to
    /// <paramref name="path"/> atomically (see <see cref="AtomicFile"/>).
    /// </summary>
    /// <exception cref="ArgumentException">Duplicate, empty or reserved tensor names; a negative dimension, an
    /// element type the format has no dtype for, or data not holding the shape's element count (nothing is written).</exception>
    public static void Write(string path, IReadOnlyList<StateBuffer> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var header = Header(tensors, metadata);
        AtomicFile.Write(path, stream =>
        {
            Span<byte> length = stackalloc byte[8];
            System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
            stream.Write(length);
            stream.Write(header);
            foreach (var t in tensors) TensorBytes.WriteLittleEndian(stream, t.Data);
        });
    }

    /// <summary>The padded JSON header for these tensors and metadata.</summary>
    static byte[] Header(IReadOnlyList<StateBuffer> tensors, IReadOnlyDictionary<string, string>? metadata)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        var names = new HashSet<string>(StringComparer.Ordinal);
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                w.WriteStartObject(MetadataKey);
                foreach (var (k, v) in metadata.OrderBy(kv => kv.Key, StringComparer.Ordinal))
                {
                    ArgumentNullException.ThrowIfNull(v, $"metadata['{k}']");
                    w.WriteString(k, v);
                }
                w.WriteEndObject();
            }
            long offset = 0;
            foreach (var t in tensors)
            {
                ArgumentNullException.ThrowIfNull(t, nameof(tensors));
                if (t.Name == MetadataKey) throw new ArgumentException($"'{MetadataKey}' is reserved and cannot name a tensor.", nameof(tensors));
                var dtype = Check(t);
                if (!names.Add(t.Name)) throw new ArgumentException($"Tensor name '{t.Name}' occurs twice.", nameof(tensors));
                var end = offset + t.ElementCount * DTypes.SizeOf(dtype);
                w.WriteStartObject(t.Name);
                w.WriteString("dtype", dtype.ToString());
                w.WriteStartArray("shape");
                foreach (var d in t.Shape) w.WriteNumberValue(d);
                w.WriteEndArray();
                w.WriteStartArray("data_offsets");
                w.WriteNumberValue(offset);
                w.WriteNumberValue(end);
                w.WriteEndArray();
                w.WriteEndObject();
                offset = end;
            }
            w.WriteEndObject();
        }
        var json = buffer.ToArray();
        var padded = (json.Length + 8 + 7) / 8 * 8 - 8;
        var header = new byte[padded];
        json.CopyTo(header, 0);
        header.AsSpan(json.Length).Fill((byte)' ');
        return header;
    }

    /// <summary>The entry's dtype, once its name, shape and data agree.</summary>
    static DType Check(StateBuffer t)
    {
        if (string.IsNullOrEmpty(t.Name)) throw new ArgumentException("A tensor has no name.", "tensors");
        if (t.Shape is null) throw new ArgumentException($"Tensor '{t.Name}' has no shape.", "tensors");
        if (t.Data is null) throw new ArgumentException($"Tensor '{t.Name}' has no data.", "tensors");
        var dtype = TensorBytes.DTypeOf(t.Data, t.Name);
        long count = 1;
        foreach (var d in t.Shape)
        {
            if (d < 0) throw new ArgumentException($"Tensor '{t.Name}': shape [{string.Join(", ", t.Shape)}] has a negative dimension.", "tensors");
            count = checked(count * d);
        }
        if (count != t.Data.LongLength)
            throw new ArgumentException(
                $"Tensor '{t.Name}': shape [{string.Join(", ", t.Shape)}] holds {count} elements but the data has {t.Data.LongLength}.", "tensors");
        return dtype;
    }

    /// <summary>
    /// Reads a safetensors file. The header is fully validated before any tensor memory is allocated.
    /// </summary>
    /// <exception cref="CheckpointFormatException">The file is malformed (the message says where and how).</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static SafeTensorFile Read(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        var fileLength = stream.Length;
        if (fileLength < 8)
            throw new CheckpointFormatException(path, null, $"file has {fileLength} bytes, too short for the 8-byte header length");
        Span<byte> prefix = stackalloc byte[8];
        stream.ReadExactly(prefix);
        var headerLength = TensorBytes.ReadUInt64(prefix);
        if (headerLength > MaxHeaderBytes)
            throw new CheckpointFormatException(path, null, $"header length {headerLength} exceeds the limit of {MaxHeaderBytes} bytes");
        if (headerLength > (ulong)(fileLength - 8))
            throw new CheckpointFormatException(path, null, $"header length {headerLength} exceeds the {fileLength - 8} bytes after the length field");
        var header = new byte[headerLength];
        stream.ReadExactly(header);

        var dataLength = fileLength - 8 - (long)headerLength;
        var (layout, metadata) = ParseHeader(path, header, dataLength);
        if (dataLength > Array.MaxLength)
            throw new CheckpointFormatException(path, null, $"data section of {dataLength} bytes is too large to load into memory at once");

        var data = new byte[dataLength];
        stream.ReadExactly(data);
        var entries = layout
            .Select(t => new SafeTensorEntry(path, t.Name, t.DType, t.Shape, data.AsMemory((int)t.Begin, (int)(t.End - t.Begin))))
            .ToList();
        return new SafeTensorFile(path, entries, metadata);
    }

    readonly record struct TensorLayout(string Name, DType DType, long[] Shape, long Begin, long End);

    /// <summary>Validates the header against a data section of <paramref name="dataLength"/> bytes.</summary>
    static (List<TensorLayout>, Dictionary<string, string>) ParseHeader(string path, byte[] header, long dataLength)
    {
        // JsonDocument checks UTF-8 lazily (when a string is read), so check it all first.
        if (!System.Text.Unicode.Utf8.IsValid(header))
            throw new CheckpointFormatException(path, null, "header is not valid UTF-8");
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(header, new JsonDocumentOptions { MaxDepth = 8 });
        }
        catch (JsonException e)
        {
            throw new CheckpointFormatException(path, null, $"header is not valid JSON ({e.Message})", e);
        }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new CheckpointFormatException(path, null, $"header is a JSON {root.ValueKind}, not an object");
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            var layout = new List<TensorLayout>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var p in root.EnumerateObject())
            {
                if (!seen.Add(p.Name))
                    throw new CheckpointFormatException(path, p.Name, "name occurs twice in the header");
                if (p.Name == MetadataKey)
                    ReadMetadata(path, p.Value, metadata);
                else
                    layout.Add(ReadTensor(path, p.Name, p.Value));
            }
            CheckLayout(path, layout, dataLength);
            return (layout, metadata);
        }
    }

    static void ReadMetadata(string path, JsonElement e, Dictionary<string, string> metadata)
    {
        if (e.ValueKind != JsonValueKind.Object)
            throw new CheckpointFormatException(path, null, $"'{MetadataKey}' is a JSON {e.ValueKind}, not an object");
        foreach (var kv in e.EnumerateObject())
        {
            if (kv.Value.ValueKind != JsonValueKind.String)
                throw new CheckpointFormatException(path, null, $"metadata '{kv.Name}' is a JSON {kv.Value.ValueKind}, not a string");
            if (!metadata.TryAdd(kv.Name, kv.Value.GetString()!))
                throw new CheckpointFormatException(path, null, $"metadata key '{kv.Name}' occurs twice");
        }
    }

    static TensorLayout ReadTensor(string path, string name, JsonElement e)
    {
        CheckpointFormatException Bad(string problem) => new(path, name, problem);
        if (name.Length == 0) throw Bad("tensor name is empty");
        if (e.ValueKind != JsonValueKind.Object) throw Bad($"entry is a JSON {e.ValueKind}, not an object");
        JsonElement? dtypeEl = null, shapeEl = null, offsetsEl = null;
        foreach (var f in e.EnumerateObject())
        {
            switch (f.Name)
            {
                case "dtype" when dtypeEl is null: dtypeEl = f.Value; break;
                case "shape" when shapeEl is null: shapeEl = f.Value; break;
                case "data_offsets" when offsetsEl is null: offsetsEl = f.Value; break;
                case "dtype" or "shape" or "data_offsets": throw Bad($"field '{f.Name}' occurs twice");
                default: throw Bad($"unknown field '{f.Name}'");
            }
        }
        if (dtypeEl is not { } dt) throw Bad("missing 'dtype'");
        if (shapeEl is not { } sh) throw Bad("missing 'shape'");
        if (offsetsEl is not { } off) throw Bad("missing 'data_offsets'");

        if (dt.ValueKind != JsonValueKind.String) throw Bad($"dtype is a JSON {dt.ValueKind}, not a string");
        var dtypeText = dt.GetString();
        if (!DTypes.TryParse(dtypeText, out var dtype))
            throw Bad($"unsupported dtype '{dtypeText}' (expected F32, F64, I64, I32 or U8)");

        if (sh.ValueKind != JsonValueKind.Array) throw Bad($"shape is a JSON {sh.ValueKind}, not an array");
        var shape = new long[sh.GetArrayLength()];
        long count = 1;
        var i = 0;
        foreach (var d in sh.EnumerateArray())
        {
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt64(out var dim))
                throw Bad($"shape dimension {i} ({d.GetRawText()}) is not an integer");
            if (dim < 0) throw Bad($"shape dimension {i} is negative ({dim})");
            shape[i++] = dim;
            if (dim != 0 && count > long.MaxValue / dim)
                throw Bad($"shape [{string.Join(", ", sh.EnumerateArray().Select(x => x.GetRawText()))}] has more elements than fit in 64 bits");
            count *= dim;
        }
        var size = DTypes.SizeOf(dtype);
        if (count > long.MaxValue / size)
            throw Bad($"shape [{string.Join(", ", shape)}] of {dtype} needs more bytes than fit in 64 bits");
        var bytes = count * size;

        if (off.ValueKind != JsonValueKind.Array || off.GetArrayLength() != 2)
            throw Bad($"data_offsets must be an array [begin, end], got {Clip(off.GetRawText())}");
        var begin = Offset(off[0], "begin");
        var end = Offset(off[1], "end");
        if (end < begin) throw Bad($"data_offsets end {end} is before begin {begin}");
        if (end - begin != bytes)
            throw Bad($"data_offsets [{begin}, {end}] span {end - begin} bytes but {dtype}[{string.Join(", ", shape)}] needs {bytes}");
        return new TensorLayout(name, dtype, shape, begin, end);

        long Offset(JsonElement v, string which) =>
            v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var x) && x >= 0
                ? x
                : throw Bad($"data_offsets {which} ({Clip(v.GetRawText())}) is not a non-negative 64-bit integer");
    }

    /// <summary>Tensors must tile the data section exactly: sorted by offset, no overlap, no gap, to the end.</summary>
    static void CheckLayout(string path, List<TensorLayout> layout, long dataLength)
    {
        layout.Sort((a, b) => a.Begin != b.Begin ? a.Begin.CompareTo(b.Begin) : a.End.CompareTo(b.End));
        long expected = 0;
        string? previous = null;
        foreach (var t in layout)
        {
            if (t.Begin < expected)
                throw new CheckpointFormatException(path, t.Name,
                    $"data_offsets [{t.Begin}, {t.End}] overlap tensor '{previous}' which ends at {expected}");
            if (t.Begin > expected)
                throw new CheckpointFormatException(path, t.Name,
                    $"data_offsets [{t.Begin}, {t.End}] leave a gap after byte {expected}");
            if (t.End > dataLength)
                throw new CheckpointFormatException(path, t.Name,
                    $"data_offsets [{t.Begin}, {t.End}] run past the end of the data section ({dataLength} bytes; file truncated?)");
            expected = t.End;
            previous = t.Name;
        }
        if (expected != dataLength)
            throw new CheckpointFormatException(path, null,
                $"tensors cover {expected} bytes but the data section has {dataLength} (trailing bytes)");
    }

    static string Clip(string s) => s.Length <= 40 ? s : s[..40] + "…";
}
