namespace InitLab.Store;

/// <summary>Element types a safetensors file may hold here; the names are the format's dtype strings.</summary>
public enum DType
{
    /// <summary>32-bit IEEE float (<c>float</c>).</summary>
    F32,
    /// <summary>64-bit IEEE float (<c>double</c>).</summary>
    F64,
    /// <summary>64-bit signed integer (<c>long</c>).</summary>
    I64,
    /// <summary>32-bit signed integer (<c>int</c>).</summary>
    I32,
    /// <summary>Unsigned byte.</summary>
    U8,
}

/// <summary>Facts about <see cref="DType"/> values.</summary>
public static class DTypes
{
    /// <summary>Bytes per element.</summary>
    public static int SizeOf(DType dtype) => dtype switch
    {
        DType.F32 => 4,
        DType.F64 => 8,
        DType.I64 => 8,
        DType.I32 => 4,
        DType.U8 => 1,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Unknown dtype."),
    };

    /// <summary>The .NET element type of arrays holding <paramref name="dtype"/> data.</summary>
    public static Type ElementType(DType dtype) => dtype switch
    {
        DType.F32 => typeof(float),
        DType.F64 => typeof(double),
        DType.I64 => typeof(long),
        DType.I32 => typeof(int),
        DType.U8 => typeof(byte),
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Unknown dtype."),
    };

    /// <summary>Parses a safetensors dtype string ("F32", …); case-sensitive as in the format.</summary>
    public static bool TryParse(string? text, out DType dtype)
    {
        switch (text)
        {
            case "F32": dtype = DType.F32; return true;
            case "F64": dtype = DType.F64; return true;
            case "I64": dtype = DType.I64; return true;
            case "I32": dtype = DType.I32; return true;
            case "U8": dtype = DType.U8; return true;
            default: dtype = default; return false;
        }
    }
}
