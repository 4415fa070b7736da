namespace InitLab.Export.Onnx;

/// <summary>What an export wrote.</summary>
/// <param name="Path">Full path of the .onnx file.</param>
/// <param name="Bytes">Size of the file.</param>
/// <param name="Opset">ONNX opset of the default domain the graph uses.</param>
/// <param name="Operators">The graph's node types in order of first use, e.g. Conv, MaxPool, Gemm.</param>
/// <param name="Initializers">Number of initializer tensors (weights, biases, constants).</param>
/// <param name="Parameters">Number of the model's scalar parameters written.</param>
public sealed record OnnxExportResult(string Path, long Bytes, int Opset, IReadOnlyList<string> Operators, int Initializers, long Parameters);
