using InitLab.Kernel.Nn;

namespace InitLab.Export.Onnx;

/// <summary>
/// Paper 003's model-2 by its parts: one CNN per image, each ending in a score vector; the vectors as a
/// sequence (image 1 first) into a single-layer LSTM; the head reads the LSTM's last hidden state.
/// </summary>
/// <param name="Cnns">Network k is applied to image k ([batch, C, H, W] → [batch, LSTM input]).</param>
/// <param name="Lstm">The sequence model over the score vectors.</param>
/// <param name="Head">Linear layer from the last hidden state to the classes.</param>
public sealed record CnnLstmParts(IReadOnlyList<Module> Cnns, LSTM Lstm, Linear Head)
{
    /// <summary>
    /// False (default): one graph input per image, named the input name + "1", + "2", …. True: a single
    /// input [batch, K, H, W] with image k on channel k, as paper 003's CnnLstm module takes a pair.
    /// </summary>
    public bool ImagesAsChannels { get; init; }

    /// <summary>Every parameter of the composite, in a stable order, named cnn1.*, cnn2.*, …, lstm.*, head.*.</summary>
    public IEnumerable<(string Name, Kernel.Tensor Value)> NamedParameters =>
        Cnns.Select((m, k) => (Part: $"cnn{k + 1}", Module: (Module)m)).Append((Part: "lstm", Module: Lstm)).Append((Part: "head", Module: Head))
            .SelectMany(p => p.Module.ParametersByName.Select(t => (p.Part + "." + t.Name, t.Value)));

    /// <summary>The parts in evaluation mode (dropout off); returns this.</summary>
    public CnnLstmParts Eval()
    {
        foreach (var m in Cnns) m.Eval();
        Lstm.Eval();
        Head.Eval();
        return this;
    }
}
