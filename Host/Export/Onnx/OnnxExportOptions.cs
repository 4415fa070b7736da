namespace InitLab.Export.Onnx;

/// <summary>
/// How a network is written as ONNX: the per-sample input shape (the batch axis is always dynamic), the
/// graph's value names, an optional softmax on the output, and the provenance stored in metadata_props.
/// </summary>
public sealed record OnnxExportOptions
{
    /// <summary>Shape of one input sample without the batch axis (default an MNIST image, 1×28×28).</summary>
    public int[] InputShape { get; init; } = [1, 28, 28];

    /// <summary>Name of the graph input; a two-image model names its inputs this name + "1" and + "2".</summary>
    public string InputName { get; init; } = "input";

    /// <summary>Name of the graph output.</summary>
    public string OutputName { get; init; } = "logits";

    /// <summary>Append a Softmax over the last axis, so the output holds probabilities rather than scores.</summary>
    public bool Softmax { get; init; }

    /// <summary>Name of the ONNX graph (shown by viewers such as Netron).</summary>
    public string GraphName { get; init; } = "initlab";

    /// <summary>Run id of the training run the weights come from, stored as metadata "run_id".</summary>
    public string? RunId { get; init; }

    /// <summary>Hash of the run's configuration, stored as metadata "config_hash".</summary>
    public string? ConfigHash { get; init; }

    /// <summary>Fingerprint of the training data, stored as metadata "data_fingerprint".</summary>
    public string? DataFingerprint { get; init; }

    /// <summary>Further metadata entries; keys must not repeat the three above.</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first impossible option.</summary>
    public void Validate()
    {
        if (InputShape is null || InputShape.Length == 0 || InputShape.Any(d => d < 1))
            throw new ArgumentException($"ONNX export: input shape [{string.Join(", ", InputShape ?? [])}] must have at least one axis, each ≥ 1", nameof(InputShape));
        foreach (var (name, value) in new[] { (nameof(InputName), InputName), (nameof(OutputName), OutputName), (nameof(GraphName), GraphName) })
            if (string.IsNullOrWhiteSpace(value)) throw new ArgumentException($"ONNX export: {name} must not be empty", name);
        if (InputName == OutputName || InputName + "1" == OutputName || InputName + "2" == OutputName)
            throw new ArgumentException($"ONNX export: input and output names clash ('{InputName}', '{OutputName}')", nameof(OutputName));
        foreach (var key in Metadata?.Keys ?? [])
            if (key is OnnxExporter.RunIdKey or OnnxExporter.ConfigHashKey or OnnxExporter.DataFingerprintKey)
                throw new ArgumentException($"ONNX export: metadata key '{key}' is set by its own option", nameof(Metadata));
    }
}
