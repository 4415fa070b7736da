namespace InitLab.Export.Onnx;

/// <summary>A named float32 tensor going into or coming out of an ONNX Runtime session (row-major data).</summary>
/// <param name="Name">Graph input or output name.</param>
/// <param name="Data">Elements, row-major; as many as the shape's product.</param>
/// <param name="Shape">Dimensions, batch first.</param>
public sealed record OnnxTensor(string Name, float[] Data, int[] Shape);
