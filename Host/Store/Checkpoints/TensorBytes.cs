using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace InitLab.Store;

/// <summary>Conversions between typed arrays and the little-endian bytes of the safetensors format.</summary>
internal static class TensorBytes
{
    /// <summary>The array's elements as bytes in machine order (little-endian on every platform .NET 10 ships for).</summary>
    public static ReadOnlySpan<byte> Raw(Array data) => data switch
    {
        float[] a => MemoryMarshal.AsBytes(a.AsSpan()),
        double[] a => MemoryMarshal.AsBytes(a.AsSpan()),
        long[] a => MemoryMarshal.AsBytes(a.AsSpan()),
        int[] a => MemoryMarshal.AsBytes(a.AsSpan()),
        byte[] a => a,
        _ => throw new ArgumentException($"Unsupported tensor array type {data.GetType()}."),
    };

    /// <summary>Writes the array's elements little-endian.</summary>
    public static void WriteLittleEndian(Stream stream, Array data)
    {
        if (BitConverter.IsLittleEndian || data is byte[])
        {
            stream.Write(Raw(data));
            return;
        }
        var size = Marshal.SizeOf(data.GetType().GetElementType()!);
        var buffer = Raw(data).ToArray();
        for (var i = 0; i < buffer.Length; i += size) buffer.AsSpan(i, size).Reverse();
        stream.Write(buffer);
    }

    /// <summary>Copies little-endian bytes into a new array of <typeparamref name="T"/>.</summary>
    public static T[] Decode<T>(ReadOnlySpan<byte> bytes) where T : unmanaged
    {
        var result = new T[bytes.Length / Marshal.SizeOf<T>()];
        bytes.CopyTo(MemoryMarshal.AsBytes(result.AsSpan()));
        if (!BitConverter.IsLittleEndian && Marshal.SizeOf<T>() > 1)
        {
            var span = MemoryMarshal.AsBytes(result.AsSpan());
            var size = Marshal.SizeOf<T>();
            for (var i = 0; i < span.Length; i += size) span.Slice(i, size).Reverse();
        }
        return result;
    }

    /// <summary>The dtype of an array's element type (<paramref name="name"/> names the tensor in the error).</summary>
    public static DType DTypeOf(Array data, string name) => data switch
    {
        float[] => DType.F32,
        double[] => DType.F64,
        long[] => DType.I64,
        int[] => DType.I32,
        byte[] => DType.U8,
        _ => throw new ArgumentException($"Tensor '{name}': unsupported array type {data.GetType()}; use float[], double[], long[], int[] or byte[]."),
    };

    /// <summary>Reads a u64 little-endian value.</summary>
    public static ulong ReadUInt64(ReadOnlySpan<byte> bytes) => BinaryPrimitives.ReadUInt64LittleEndian(bytes);
}
