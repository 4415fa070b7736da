using InitLab.Kernel;

namespace InitLab.Store;

/// <summary>One tensor read from a safetensors file. The typed accessors return fresh arrays.</summary>
public sealed class SafeTensorEntry
{
    readonly ReadOnlyMemory<byte> bytes;
    readonly long[] shape;

    internal SafeTensorEntry(string file, string name, DType dtype, long[] shape, ReadOnlyMemory<byte> bytes)
    {
        File = file;
        Name = name;
        DType = dtype;
        this.shape = shape;
        this.bytes = bytes;
    }

    /// <summary>File the tensor was read from.</summary>
    public string File { get; }

    /// <summary>Tensor name as stored.</summary>
    public string Name { get; }

    /// <summary>Element type.</summary>
    public DType DType { get; }

    /// <summary>Dimensions (a copy).</summary>
    public long[] Shape => (long[])shape.Clone();

    /// <summary>Number of elements.</summary>
    public long ElementCount => bytes.Length / DTypes.SizeOf(DType);

    /// <summary>The tensor's bytes as stored (little-endian).</summary>
    public ReadOnlyMemory<byte> RawBytes => bytes;

    /// <summary>Data of an F32 tensor.</summary>
    public float[] AsFloats() => Typed<float>(DType.F32);
    /// <summary>Data of an F64 tensor.</summary>
    public double[] AsDoubles() => Typed<double>(DType.F64);
    /// <summary>Data of an I64 tensor.</summary>
    public long[] AsInt64s() => Typed<long>(DType.I64);
    /// <summary>Data of an I32 tensor.</summary>
    public int[] AsInt32s() => Typed<int>(DType.I32);
    /// <summary>Data of a U8 tensor.</summary>
    public byte[] AsBytes() => Typed<byte>(DType.U8);

    /// <summary>The data as an array of the tensor's own element type.</summary>
    public Array Data() => DType switch
    {
        DType.F32 => AsFloats(),
        DType.F64 => AsDoubles(),
        DType.I64 => AsInt64s(),
        DType.I32 => AsInt32s(),
        _ => AsBytes(),
    };

    /// <summary>The tensor as the Kernel's state type, optionally renamed (a checkpoint strips its prefix so).</summary>
    /// <exception cref="CheckpointFormatException">A dimension beyond <see cref="int.MaxValue"/>, which no Kernel tensor has.</exception>
    public StateBuffer ToStateBuffer(string? name = null)
    {
        var dims = new int[shape.Length];
        for (var i = 0; i < dims.Length; i++)
            dims[i] = shape[i] <= int.MaxValue ? (int)shape[i]
                : throw new CheckpointFormatException(File, Name, $"shape dimension {i} ({shape[i]}) exceeds {int.MaxValue}");
        return new StateBuffer(name ?? Name, dims, Data());
    }

    T[] Typed<T>(DType wanted) where T : unmanaged
    {
        if (DType != wanted)
            throw new InvalidOperationException($"'{File}', tensor '{Name}' holds {DType} data, not {wanted}.");
        return TensorBytes.Decode<T>(bytes.Span);
    }

    /// <inheritdoc />
    public override string ToString() => $"{Name}: {DType}[{string.Join(", ", Shape)}]";
}
