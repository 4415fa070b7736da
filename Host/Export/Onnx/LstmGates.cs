namespace InitLab.Export.Onnx;

/// <summary>
/// The one place the LSTM gate layouts meet. The Kernel (as PyTorch) stacks the four gate blocks of
/// weight_ih, weight_hh, bias_ih and bias_hh as i, f, g, o; ONNX's LSTM stacks W, R, Wb and Rb as
/// i, o, f, c (c is the Kernel's g, the cell candidate). Each block is H rows of <c>rowLength</c> values.
/// </summary>
internal static class LstmGates
{
    /// <summary>For ONNX's block k (i, o, f, c), the Kernel's block it comes from (i = 0, f = 1, g = 2, o = 3).</summary>
    internal static readonly int[] KernelBlockOfOnnxBlock = [0, 3, 1, 2];

    /// <summary>Kernel gate order → ONNX gate order.</summary>
    public static float[] ToOnnx(float[] kernel, int hidden, int rowLength) => Permute(kernel, hidden, rowLength, toOnnx: true);

    /// <summary>ONNX gate order → Kernel gate order (the inverse of <see cref="ToOnnx"/>).</summary>
    public static float[] ToKernel(float[] onnx, int hidden, int rowLength) => Permute(onnx, hidden, rowLength, toOnnx: false);

    static float[] Permute(float[] src, int hidden, int rowLength, bool toOnnx)
    {
        int block = hidden * rowLength;
        if (src.Length != 4 * block)
            throw new ArgumentException($"LSTM gate tensor has {src.Length} values, expected 4 × {hidden} × {rowLength} = {4 * block}");
        var dst = new float[src.Length];
        for (int k = 0; k < 4; k++)
        {
            int kernelBlock = KernelBlockOfOnnxBlock[k];
            if (toOnnx) Array.Copy(src, kernelBlock * block, dst, k * block, block);
            else Array.Copy(src, k * block, dst, kernelBlock * block, block);
        }
        return dst;
    }
}
