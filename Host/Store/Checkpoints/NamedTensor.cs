namespace InitLab.Store;

/// <summary>
/// A named tensor to store: element type, shape and data (row-major). Equality compares name, dtype,
/// shape and data bit for bit.
/// </summary>
public sealed record NamedTensor
{
    /// <summary>Name, unique within a file.</summary>
    public string Name { get; }

    /// <summary>Element type; matches the type of <see cref="Data"/>.</summary>
    public DType DType { get; }

    /// <summary>Dimensions (non-negative); the empty shape is a scalar.</summary>
    public long[] Shape { get; }

    /// <summary>
    /// Elements in row-major order: a <c>float[]</c>, <c>double[]</c>, <c>long[]</c>, <c>int[]</c> or
    /// <c>byte[]</c> of the dtype, with as many elements as the shape's product. Not copied.
    /// </summary>
    public Array Data { get; }

    /// <summary>Creates a tensor; the dtype is that of <paramref name="data"/>.</summary>
    /// <exception cref="ArgumentException">Empty name, negative dimension, or element count not matching the shape.</exception>
    public NamedTensor(string name, long[] shape, Array data)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(data);
        DType = TensorBytes.DTypeOf(data);
        long count = 1;
        foreach (var d in shape)
        {
            if (d < 0) throw new ArgumentException($"Tensor '{name}': shape [{string.Join(", ", shape)}] has a negative dimension.", nameof(shape));
            count = checked(count * d);
        }
        if (count != data.LongLength)
            throw new ArgumentException(
                $"Tensor '{name}': shape [{string.Join(", ", shape)}] holds {count} elements but the data has {data.LongLength}.", nameof(data));
        Name = name;
        Shape = (long[])shape.Clone();
        Data = data;
    }

    /// <summary>Creates a tensor with an <c>int[]</c> shape.</summary>
    public NamedTensor(string name, int[] shape, Array data)
        : this(name, Array.ConvertAll(shape ?? throw new ArgumentNullException(nameof(shape)), d => (long)d), data) { }

    /// <summary>A float tensor.</summary>
    public static NamedTensor Of(string name, long[] shape, float[] data) => new(name, shape, data);
    /// <summary>A double tensor.</summary>
    public static NamedTensor Of(string name, long[] shape, double[] data) => new(name, shape, data);
    /// <summary>A 64-bit integer tensor.</summary>
    public static NamedTensor Of(string name, long[] shape, long[] data) => new(name, shape, data);
    /// <summary>A 32-bit integer tensor.</summary>
    public static NamedTensor Of(string name, long[] shape, int[] data) => new(name, shape, data);
    /// <summary>A byte tensor.</summary>
    public static NamedTensor Of(string name, long[] shape, byte[] data) => new(name, shape, data);

    /// <summary>The same data under another name.</summary>
    public NamedTensor Rename(string name) => new(name, Shape, Data);

    /// <summary>Number of elements.</summary>
    public long ElementCount => Data.LongLength;

    /// <inheritdoc />
    public bool Equals(NamedTensor? other) =>
        other is not null
        && Name == other.Name
        && DType == other.DType
        && Shape.AsSpan().SequenceEqual(other.Shape)
        && TensorBytes.Raw(Data).SequenceEqual(TensorBytes.Raw(other.Data));

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Name, DType, Shape.Length, Data.LongLength);

    /// <inheritdoc />
    public override string ToString() => $"{Name}: {DType}[{string.Join(", ", Shape)}]";
}
