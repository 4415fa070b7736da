using InitLab.Kernel;
using InitLab.Kernel.Compare;
using InitLab.Kernel.Nn;

namespace InitLab.Studies.Sequence;

/// <summary>
/// A digit CNN's layer outputs on a fixed probe set as centred Gram matrices (both CKA estimators),
/// so every pair of CNNs is compared layer by layer without recomputing them. Dropout (the identity
/// at evaluation) and flatten (a reshape) repeat the layer before them and are left out.
/// </summary>
public sealed class CnnRepresentation
{
    readonly ProbeGram[] _biased, _debiased;

    /// <summary>The layers represented, in forward order (e.g. conv1, relu1, pool1, fc1, relu2, fc2).</summary>
    public IReadOnlyList<string> Layers { get; }

    /// <summary>Probe images the representation was taken on.</summary>
    public int Probes { get; }

    CnnRepresentation(IReadOnlyList<string> layers, ProbeGram[] biased, ProbeGram[] debiased, int probes)
    {
        Layers = layers;
        _biased = biased;
        _debiased = debiased;
        Probes = probes;
    }

    /// <summary>The layer outputs of <paramref name="cnn"/> (in evaluation mode, its flag restored) on <paramref name="probes"/> [n; C; H; W].</summary>
    /// <exception cref="ArgumentException">The probes do not fit the network, or too few of them for CKA.</exception>
    public static CnnRepresentation Of(Module cnn, Tensor probes)
    {
        ArgumentNullException.ThrowIfNull(cnn);
        ArgumentNullException.ThrowIfNull(probes);
        // dropout and flatten repeat the layer before them: their outputs are left out
        var repeated = new HashSet<string>();
        foreach (var (path, layer) in Leaves.ofModel(cnn))
            if (layer is Dropout or Flatten) repeated.Add(path);
        var layers = new List<string>();
        var biased = new List<ProbeGram>();
        var debiased = new List<ProbeGram>();
        foreach (var (path, output) in LayerOutputs.ofModel(cnn, probes))
        {
            if (repeated.Contains(path)) continue;
            var (b, d) = Kernel.Compare.Cka.gramBoth(path, output);
            layers.Add(path);
            biased.Add(b);
            debiased.Add(d);
        }
        return new CnnRepresentation([.. layers], [.. biased], [.. debiased], probes.Shape[0]);
    }

    /// <summary>Linear CKA between each layer of this network and the same layer of <paramref name="other"/> (NaN where a layer is constant over the probes).</summary>
    /// <exception cref="ArgumentException">The networks' layers differ, or they saw different numbers of probes.</exception>
    public double[] Cka(CnnRepresentation other, bool debiased = false)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (!Layers.SequenceEqual(other.Layers))
            throw new ArgumentException($"CKA by layer: layers ({string.Join(", ", Layers)}) and ({string.Join(", ", other.Layers)}) differ", nameof(other));
        var (a, b) = debiased ? (_debiased, other._debiased) : (_biased, other._biased);
        return [.. a.Zip(b, Kernel.Compare.Cka.ofGrams)];
    }
}
