namespace InitLab.Export.Onnx;

/// <summary>
/// A layer of the network has no ONNX form the exporter knows (or its input cannot be what the layer
/// expects): the message names the layer's path in the model and its description. Nothing is written.
/// </summary>
public sealed class UnsupportedLayerException : Exception
{
    /// <summary>Dotted path of the layer in the model (e.g. "features.scale"); "(model)" for the root.</summary>
    public string LayerPath { get; }

    /// <summary>The layer's own description, e.g. "Lambda(scale)".</summary>
    public string Layer { get; }

    /// <summary>Creates the exception; <paramref name="problem"/> says why the layer cannot be exported.</summary>
    public UnsupportedLayerException(string layerPath, string layer, string problem)
        : base($"cannot export layer '{layerPath}' ({layer}) to ONNX: {problem}")
    {
        LayerPath = layerPath;
        Layer = layer;
    }
}
