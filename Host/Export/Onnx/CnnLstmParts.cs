using InitLab.Kernel.Nn;

namespace InitLab.Export.Onnx;

/// <summary>
/// Paper 003's model-2 by its parts: two CNNs, one per image, each ending in a score vector; the two
/// vectors as a length-2 sequence (first image first) into a single-layer LSTM; the head reads the
/// LSTM's last hidden state. The ONNX graph has two image inputs.
/// </summary>
/// <param name="FirstCnn">Network applied to the first image ([batch, …] → [batch, LSTM input]).</param>
/// <param name="SecondCnn">Network applied to the second image.</param>
/// <param name="Lstm">The sequence model over the two score vectors.</param>
/// <param name="Head">Linear layer from the last hidden state to the classes.</param>
public sealed record CnnLstmParts(Module FirstCnn, Module SecondCnn, LSTM Lstm, Linear Head)
{
    /// <summary>Every parameter of the composite, in a stable order, named cnn1.*, cnn2.*, lstm.*, head.*.</summary>
    public IEnumerable<(string Name, Kernel.Tensor Value)> NamedParameters =>
        new (string Prefix, Module M)[] { ("cnn1", FirstCnn), ("cnn2", SecondCnn), ("lstm", Lstm), ("head", Head) }
            .SelectMany(p => p.M.NamedParameters.Select(t => (p.Prefix + "." + t.Item1, t.Item2)));
}
