namespace InitLab.Store;

/// <summary>
/// A safetensors file or checkpoint is malformed: the message names the file, the tensor (when one is
/// at fault) and what was wrong.
/// </summary>
public sealed class CheckpointFormatException : Exception
{
    /// <summary>The file that could not be read.</summary>
    public string FilePath { get; }

    /// <summary>The tensor at fault, or null when the problem is not about one tensor.</summary>
    public string? TensorName { get; }

    /// <summary>Creates the exception; <paramref name="problem"/> says what was wrong.</summary>
    public CheckpointFormatException(string filePath, string? tensorName, string problem, Exception? inner = null)
        : base(Describe(filePath, tensorName, problem), inner)
    {
        FilePath = filePath;
        TensorName = tensorName;
    }

    static string Describe(string file, string? tensor, string problem) =>
        tensor is null ? $"'{file}': {problem}" : $"'{file}', tensor '{tensor}': {problem}";
}
