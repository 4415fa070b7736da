using System.Runtime.InteropServices;
using Google.Protobuf;
using Onnx;

namespace InitLab.Export.Onnx;

/// <summary>
/// Accumulates an ONNX graph: nodes in topological order, float32 initializers and the graph's inputs
/// and outputs. Value names are made unique here, so lowering code can name values after the module path.
/// </summary>
internal sealed class OnnxGraphBuilder
{
    /// <summary>ONNX TensorProto.DataType FLOAT and INT64.</summary>
    const int Float = 1, Int64 = 7;

    readonly GraphProto graph = new();
    readonly HashSet<string> names = new(StringComparer.Ordinal);

    public OnnxGraphBuilder(string name) => graph.Name = name;

    public GraphProto Graph => graph;

    /// <summary>A value name not used yet, derived from <paramref name="wanted"/>.</summary>
    public string Fresh(string wanted)
    {
        var name = wanted;
        for (int k = 1; !names.Add(name); k++) name = $"{wanted}_{k}";
        return name;
    }

    /// <summary>A float32 initializer of <paramref name="shape"/> holding <paramref name="values"/>; returns its name.</summary>
    public string Initializer(string wanted, long[] shape, ReadOnlySpan<float> values)
    {
        long count = shape.Aggregate(1L, (a, d) => a * d);
        if (count != values.Length)
            throw new InvalidOperationException($"initializer '{wanted}': shape [{string.Join(", ", shape)}] needs {count} values, got {values.Length}");
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("ONNX raw tensor data is little-endian; this machine is not");
        var t = new TensorProto { Name = Fresh(wanted), DataType = Float, RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values)) };
        t.Dims.AddRange(shape);
        graph.Initializer.Add(t);
        return t.Name;
    }

    /// <summary>An int64 initializer (axes, shapes); returns its name.</summary>
    public string Int64Initializer(string wanted, long[] values)
    {
        var t = new TensorProto { Name = Fresh(wanted), DataType = Int64 };
        t.Dims.Add(values.Length);
        t.Int64Data.AddRange(values);
        graph.Initializer.Add(t);
        return t.Name;
    }

    /// <summary>A scalar float32 initializer; returns its name.</summary>
    public string ScalarInitializer(string wanted, float value)
    {
        var t = new TensorProto { Name = Fresh(wanted), DataType = Float };
        t.FloatData.Add(value);
        graph.Initializer.Add(t);
        return t.Name;
    }

    /// <summary>Adds a node of <paramref name="op"/>; returns the names of its outputs (one per wanted name).</summary>
    public string[] Node(string op, string nodeName, string[] inputs, string[] wantedOutputs, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = op, Name = nodeName };
        node.Input.AddRange(inputs);
        var outputs = wantedOutputs.Select(w => w.Length == 0 ? "" : Fresh(w)).ToArray();
        node.Output.AddRange(outputs);
        node.Attribute.AddRange(attributes);
        graph.Node.Add(node);
        return outputs;
    }

    /// <summary>Adds a one-output node; returns the output's name.</summary>
    public string Node1(string op, string nodeName, string input, params AttributeProto[] attributes) =>
        Node(op, nodeName, [input], [nodeName + "_out"], attributes)[0];

    /// <summary>Declares a float32 graph input; a null dimension is the dynamic batch.</summary>
    public string Input(string name, long?[] shape)
    {
        if (!names.Add(name)) throw new ArgumentException($"graph input name '{name}' is used twice");
        graph.Input.Add(ValueInfo(name, shape));
        return name;
    }

    /// <summary>Renames the value <paramref name="value"/> to <paramref name="name"/> (through an Identity node) and declares it a graph output.</summary>
    public void Output(string value, string name, long?[] shape)
    {
        if (!names.Add(name)) throw new ArgumentException($"graph output name '{name}' is already used inside the graph");
        var node = new NodeProto { OpType = "Identity", Name = name };
        node.Input.Add(value);
        node.Output.Add(name);
        graph.Node.Add(node);
        graph.Output.Add(ValueInfo(name, shape));
    }

    static ValueInfoProto ValueInfo(string name, long?[] shape)
    {
        var dims = new TensorShapeProto();
        foreach (var d in shape)
            dims.Dim.Add(d is long v ? new TensorShapeProto.Types.Dimension { DimValue = v } : new TensorShapeProto.Types.Dimension { DimParam = "batch" });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = Float, Shape = dims } },
        };
    }

    public static AttributeProto Ints(string name, params long[] values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        a.Ints.AddRange(values);
        return a;
    }

    public static AttributeProto Int(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };
}
