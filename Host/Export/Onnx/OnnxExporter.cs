using Google.Protobuf;
using InitLab.Kernel.Nn;
using InitLab.Store;
using Onnx;

namespace InitLab.Export.Onnx;

/// <summary>
/// Writes a Kernel network as an ONNX model: its graph (Conv, MaxPool/AveragePool, Relu/Tanh/Sigmoid,
/// Flatten, Gemm or MatMul+Add, Dropout as the inference identity, LSTM, optional Softmax), the trained
/// weights as initializers, named inputs and output with a dynamic batch axis, the opset, and provenance
/// in metadata_props. The whole model is built in memory first, so a layer the exporter cannot express
/// is refused (<see cref="UnsupportedLayerException"/>) before any file is touched; the file itself is
/// written atomically.
/// </summary>
public static class OnnxExporter
{
    /// <summary>Opset of the default ONNX domain the graphs use.</summary>
    public const int Opset = 17;

    /// <summary>ONNX IR version matching <see cref="Opset"/> 17.</summary>
    public const long IrVersion = 8;

    /// <summary>metadata_props key of the training run's id.</summary>
    public const string RunIdKey = "run_id";
    /// <summary>metadata_props key of the configuration hash.</summary>
    public const string ConfigHashKey = "config_hash";
    /// <summary>metadata_props key of the training data's fingerprint.</summary>
    public const string DataFingerprintKey = "data_fingerprint";

    /// <summary>The ONNX model of <paramref name="model"/> as bytes.</summary>
    /// <exception cref="UnsupportedLayerException">A layer has no ONNX form here; the message names it.</exception>
    public static byte[] ToBytes(Module model, OnnxExportOptions? options = null) => Build(model, options).ToByteArray();

    /// <summary>The ONNX model of paper 003's two-image CNN+LSTM composite as bytes.</summary>
    public static byte[] ToBytes(CnnLstmParts model, OnnxExportOptions? options = null) => Build(model, options).ToByteArray();

    /// <summary>Writes <paramref name="model"/> to <paramref name="path"/> atomically.</summary>
    /// <exception cref="UnsupportedLayerException">A layer has no ONNX form here; nothing is written.</exception>
    /// <exception cref="IOException">The file cannot be written; the message names it; nothing is left half-written.</exception>
    public static OnnxExportResult Export(Module model, string path, OnnxExportOptions? options = null) =>
        Write(Build(model, options), path, model.ParameterCount);

    /// <summary>Writes paper 003's two-image CNN+LSTM composite to <paramref name="path"/> atomically.</summary>
    public static OnnxExportResult Export(CnnLstmParts model, string path, OnnxExportOptions? options = null) =>
        Write(Build(model, options), path, model.NamedParameters.Sum(p => (long)p.Value.Numel));

    static ModelProto Build(Module model, OnnxExportOptions? options)
    {
        ArgumentNullException.ThrowIfNull(model);
        options ??= new OnnxExportOptions();
        options.Validate();
        var g = new OnnxGraphBuilder(options.GraphName);
        var input = new GraphValue(g.Input(options.InputName, Dims(options.InputShape)), options.InputShape);
        var y = new ModuleLowering(g).Lower(model, "", input);
        return Finish(g, y, options, model.ToString());
    }

    static ModelProto Build(CnnLstmParts model, OnnxExportOptions? options)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (model.Cnns is null || model.Cnns.Count == 0) throw new ArgumentException("CnnLstmParts: at least one CNN is needed", nameof(model));
        options ??= new OnnxExportOptions();
        options.Validate();
        var g = new OnnxGraphBuilder(options.GraphName);
        var lower = new ModuleLowering(g);
        int k = model.Cnns.Count;
        IReadOnlyList<GraphValue> images;
        if (model.ImagesAsChannels)
        {
            if (options.InputShape.Length != 3 || options.InputShape[0] != 1)
                throw new ArgumentException($"ONNX export: images as channels needs a one-channel image shape [1, H, W], got [{string.Join(", ", options.InputShape)}]", nameof(options));
            int[] stacked = [k, .. options.InputShape[1..]];
            images = lower.SplitChannels(new GraphValue(g.Input(options.InputName, Dims(stacked)), stacked), "images");
        }
        else
        {
            images = [.. Enumerable.Range(1, k).Select(i => new GraphValue(g.Input(options.InputName + i, Dims(options.InputShape)), options.InputShape))];
        }
        var y = lower.CnnLstm(model.Cnns, model.Lstm, model.Head, "", images);
        var parts = model.Cnns.Select((m, i) => $"  cnn{i + 1}: {Indent(m)}").Append($"  lstm: {model.Lstm.Describe()}").Append($"  head: {model.Head.Describe()}");
        return Finish(g, y, options, "CnnLstm\n" + string.Join("\n", parts));
    }

    static string Indent(Module m) => m.ToString().Replace("\n", "\n    ");

    static ModelProto Finish(OnnxGraphBuilder g, GraphValue y, OnnxExportOptions options, string description)
    {
        if (options.Softmax) y = y with { Name = g.Node1("Softmax", "softmax", y.Name, OnnxGraphBuilder.Int("axis", -1)) };
        g.Output(y.Name, options.OutputName, Dims(y.Shape));
        var m = new ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = "InitLab",
            ProducerVersion = typeof(OnnxExporter).Assembly.GetName().Version?.ToString() ?? "",
            DocString = description,
            Graph = g.Graph,
        };
        m.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = Opset });
        void Meta(string key, string? value)
        {
            if (value is not null) m.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        }
        Meta(RunIdKey, options.RunId);
        Meta(ConfigHashKey, options.ConfigHash);
        Meta(DataFingerprintKey, options.DataFingerprint);
        foreach (var kv in (options.Metadata ?? new Dictionary<string, string>()).OrderBy(kv => kv.Key, StringComparer.Ordinal))
            Meta(kv.Key, kv.Value);
        return m;
    }

    static long?[] Dims(int[] perSample) => [null, .. perSample.Select(d => (long?)d)];

    static OnnxExportResult Write(ModelProto model, string path, long parameters)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var full = Path.GetFullPath(path);
        var bytes = model.ToByteArray();
        try
        {
            AtomicFile.Write(full, s => s.Write(bytes));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"cannot write the ONNX model to '{full}': {e.Message}", e);
        }
        var ops = model.Graph.Node.Select(n => n.OpType).Where(op => op != "Identity").Distinct().ToList();
        return new OnnxExportResult(full, bytes.LongLength, Opset, ops, model.Graph.Initializer.Count, parameters);
    }
}
