using InitLab.Kernel;
using InitLab.Kernel.Nn;
using Onnx;
using static InitLab.Export.Onnx.OnnxGraphBuilder;

namespace InitLab.Export.Onnx;

/// <summary>A value in the graph being built and its shape without the leading (dynamic) batch axis.</summary>
internal readonly record struct GraphValue(string Name, int[] Shape)
{
    public string ShapeText => $"[batch, {string.Join(", ", Shape)}]";
}

/// <summary>
/// Turns Kernel modules into ONNX nodes through their public API, one module kind per case. Shapes are
/// followed per sample, so a layer that would receive the wrong input is refused by name here rather
/// than by ONNX Runtime later.
/// </summary>
internal sealed class ModuleLowering(OnnxGraphBuilder g)
{
    /// <summary>Emits <paramref name="m"/> applied to <paramref name="x"/>; returns its output.</summary>
    public GraphValue Lower(Module m, string path, GraphValue x)
    {
        ArgumentNullException.ThrowIfNull(m);
        return m switch
        {
            Sequential s => Chain(s, path, x),
            Conv2d c => Conv(c, path, x),
            MaxPool2d p => Pool("MaxPool", p, path, x),
            AvgPool2d p => Pool("AveragePool", p, path, x),
            ReLU => Elementwise("Relu", path, x),
            Tanh => Elementwise("Tanh", path, x),
            Sigmoid => Elementwise("Sigmoid", path, x),
            Dropout d => DropoutAtInference(d, path, x),
            Flatten => Flattened(path, x),
            Linear l => Affine(l, path, x),
            LSTM l => LstmBatchFirst(l, path, x),
            Kernel.Nn.CnnLstm c => CnnLstmModule(c, path, x),
            _ => throw new UnsupportedLayerException(Shown(path), m.Describe(), $"{m.GetType().Name} has no ONNX form in this exporter"),
        };
    }

    public static string Join(string path, string child) => path.Length == 0 ? child : path + "." + child;
    static string Shown(string path) => path.Length == 0 ? "(model)" : path;

    static UnsupportedLayerException BadInput(Module m, string path, GraphValue x, string expected) =>
        new(Shown(path), m.Describe(), $"it expects {expected} but receives {x.ShapeText}");

    GraphValue Conv(Conv2d c, string path, GraphValue x)
    {
        if (x.Shape.Length != 3 || x.Shape[0] != c.InChannels)
            throw BadInput(c, path, x, $"[batch, {c.InChannels}, H, W]");
        int k = c.KernelSize, s = c.Stride, p = c.Padding;
        int oh = (x.Shape[1] + 2 * p - k) / s + 1, ow = (x.Shape[2] + 2 * p - k) / s + 1;
        if (oh < 1 || ow < 1) throw BadInput(c, path, x, $"an image of at least {k}×{k} after padding");
        var inputs = new List<string> { x.Name, Weight(path, "weight", c.Weight) };
        if (c.Bias is not null) inputs.Add(Weight(path, "bias", c.Bias));
        var y = g.Node("Conv", path, [.. inputs], [path + "_out"],
            Ints("kernel_shape", k, k), Ints("strides", s, s), Ints("pads", p, p, p, p), Ints("dilations", 1, 1), Int("group", 1))[0];
        return new GraphValue(y, [c.OutChannels, oh, ow]);
    }

    GraphValue Pool(string op, Pool2d p, string path, GraphValue x)
    {
        int k = p.KernelSize, s = p.Stride;
        if (x.Shape.Length != 3 || x.Shape[1] < k || x.Shape[2] < k)
            throw BadInput(p, path, x, $"[batch, C, H ≥ {k}, W ≥ {k}]");
        // the Kernel drops a partial last window (floor), as ONNX does with ceil_mode 0
        var y = g.Node1(op, path, x.Name, Ints("kernel_shape", k, k), Ints("strides", s, s), Ints("pads", 0, 0, 0, 0), Int("ceil_mode", 0));
        return new GraphValue(y, [x.Shape[0], (x.Shape[1] - k) / s + 1, (x.Shape[2] - k) / s + 1]);
    }

    GraphValue Elementwise(string op, string path, GraphValue x) => x with { Name = g.Node1(op, path, x.Name) };

    GraphValue DropoutAtInference(Dropout d, string path, GraphValue x)
    {
        // ONNX Dropout without a training_mode input is the identity, as the Kernel's in evaluation mode
        var ratio = g.ScalarInitializer(path + ".ratio", (float)d.P);
        var y = g.Node("Dropout", path, [x.Name, ratio], [path + "_out"])[0];
        return x with { Name = y };
    }

    GraphValue Flattened(string path, GraphValue x)
    {
        var y = g.Node1("Flatten", path, x.Name, Int("axis", 1));
        return new GraphValue(y, [x.Shape.Aggregate(1, (a, d) => a * d)]);
    }

    GraphValue Affine(Linear l, string path, GraphValue x)
    {
        if (x.Shape.Length < 1 || x.Shape[^1] != l.InFeatures)
            throw BadInput(l, path, x, $"[batch, …, {l.InFeatures}]");
        int[] outShape = [.. x.Shape[..^1], l.OutFeatures];
        if (x.Shape.Length == 1)
        {
            // y = x·Wᵀ + b is Gemm with transB; the weight keeps the Kernel's [out, in] layout
            var inputs = new List<string> { x.Name, Weight(path, "weight", l.Weight) };
            if (l.Bias is not null) inputs.Add(Weight(path, "bias", l.Bias));
            return new GraphValue(g.Node("Gemm", path, [.. inputs], [path + "_out"], Int("transB", 1))[0], outShape);
        }
        // more than one axis per sample: MatMul broadcasts over them, with Wᵀ stored as [in, out]
        var wt = Transposed(Floats(l.Weight, path + ".weight"), l.OutFeatures, l.InFeatures);
        var w = g.Initializer(path + ".weight_t", [l.InFeatures, l.OutFeatures], wt);
        var y = g.Node("MatMul", path, [x.Name, w], [path + "_matmul"])[0];
        if (l.Bias is not null) y = g.Node("Add", path + "/bias", [y, Weight(path, "bias", l.Bias)], [path + "_out"])[0];
        return new GraphValue(y, outShape);
    }

    /// <summary>A batch-first LSTM module ([batch, T, in] → [batch, T, H]) around ONNX's time-major LSTM.</summary>
    GraphValue LstmBatchFirst(LSTM l, string path, GraphValue x)
    {
        if (x.Shape.Length != 2 || x.Shape[1] != l.InputSize)
            throw BadInput(l, path, x, $"[batch, T, {l.InputSize}]");
        var timeMajor = g.Node1("Transpose", path + "/time_major", x.Name, Ints("perm", 1, 0, 2));
        var (y, _) = LstmNode(l, path, timeMajor);
        // Y is [T, directions = 1, batch, H]
        var squeezed = g.Node("Squeeze", path + "/directions", [y, g.Int64Initializer(path + ".axis1", [1])], [path + "_y"])[0];
        var batchFirst = g.Node1("Transpose", path + "/batch_first", squeezed, Ints("perm", 1, 0, 2));
        return new GraphValue(batchFirst, [x.Shape[0], l.HiddenSize]);
    }

    /// <summary>
    /// ONNX's LSTM node on a time-major input [T, batch, in]; returns the names of Y [T, 1, batch, H] and
    /// Y_h [1, batch, H]. Gates are re-laid from the Kernel's (PyTorch's) i, f, g, o blocks into ONNX's
    /// i, o, f, c; the two biases become B = [Wb | Rb] with the same reordering.
    /// </summary>
    public (string Y, string Yh) LstmNode(LSTM l, string path, string timeMajorInput)
    {
        int h = l.HiddenSize, n = l.InputSize;
        var w = g.Initializer(path + ".W", [1, 4 * h, n], LstmGates.ToOnnx(Floats(l.WeightIh, path + ".weight_ih"), h, n));
        var r = g.Initializer(path + ".R", [1, 4 * h, h], LstmGates.ToOnnx(Floats(l.WeightHh, path + ".weight_hh"), h, h));
        var inputs = new List<string> { timeMajorInput, w, r };
        if (l.BiasIh is not null)
        {
            var wb = LstmGates.ToOnnx(Floats(l.BiasIh, path + ".bias_ih"), h, 1);
            var rb = LstmGates.ToOnnx(Floats(l.BiasHh, path + ".bias_hh"), h, 1);
            inputs.Add(g.Initializer(path + ".B", [1, 8 * h], [.. wb, .. rb]));
        }
        var outs = g.Node("LSTM", path, [.. inputs], [path + "_Y", path + "_Y_h"], Int("hidden_size", h), Int("layout", 0));
        return (outs[0], outs[1]);
    }

    /// <summary>
    /// Paper 003's CnnLstm module ([batch, K, H, W], image k on channel k): its input split into K
    /// one-channel images, then <see cref="CnnLstm"/> with the module's own child names (cnn1…, rnn.lstm, rnn.head).
    /// </summary>
    GraphValue CnnLstmModule(Kernel.Nn.CnnLstm m, string path, GraphValue x)
    {
        var cnns = m.Cnns;
        if (x.Shape.Length != 3 || x.Shape[0] != cnns.Length)
            throw BadInput(m, path, x, $"[batch, {cnns.Length}, H, W] (one image per CNN)");
        var rnn = new Dictionary<string, Module>(StringComparer.Ordinal);
        foreach (var (name, child) in m.Rnn.Children) rnn[name] = child;
        if (!rnn.TryGetValue("lstm", out var lstm) || lstm is not LSTM l || !rnn.TryGetValue("head", out var head) || head is not Linear h)
            throw new UnsupportedLayerException(Shown(Join(path, "rnn")), m.Rnn.Describe(), "its children are not an LSTM 'lstm' and a Linear 'head'");
        return CnnLstm(cnns, l, h, path, SplitChannels(x, Join(path, "images")), Join(path, "rnn"));
    }

    /// <summary>
    /// Paper 003's model-2: CNN k on image k, each CNN's scores one time step of the LSTM (image 1
    /// first), the head on the LSTM's last hidden state. Children are named cnn1… under <paramref name="path"/>,
    /// lstm and head under <paramref name="rnnPath"/> (default <paramref name="path"/>).
    /// </summary>
    public GraphValue CnnLstm(IReadOnlyList<Module> cnns, LSTM lstm, Linear head, string path, IReadOnlyList<GraphValue> images, string? rnnPath = null)
    {
        if (images.Count != cnns.Count)
            throw new ArgumentException($"{cnns.Count} CNNs need as many images, got {images.Count}", nameof(images));
        rnnPath ??= path;
        string lstmPath = Join(rnnPath, "lstm"), axis0 = g.Int64Initializer(Join(path, "seq.axis0"), [0]);
        var steps = new List<string>();
        for (int k = 0; k < cnns.Count; k++)
        {
            var cnnPath = Join(path, $"cnn{k + 1}");
            var z = Lower(cnns[k], cnnPath, images[k]);
            if (z.Shape.Length != 1 || z.Shape[0] != lstm.InputSize)
                throw new UnsupportedLayerException(lstmPath, lstm.Describe(), $"it expects [batch, {lstm.InputSize}] from {cnnPath} but receives {z.ShapeText}");
            // one time step [1, batch, features]: ONNX's LSTM is time-major
            steps.Add(g.Node("Unsqueeze", cnnPath + "/step", [z.Name, axis0], [cnnPath + "_step"])[0]);
        }
        var sequence = steps.Count == 1 ? steps[0] : g.Node("Concat", Join(path, "seq"), [.. steps], [Join(path, "seq")], Int("axis", 0))[0];
        var (_, yh) = LstmNode(lstm, lstmPath, sequence);
        var last = g.Node("Squeeze", lstmPath + "/last_h", [yh, axis0], [lstmPath + "_h"])[0];
        return Lower(head, Join(rnnPath, "head"), new GraphValue(last, [lstm.HiddenSize]));
    }

    /// <summary>[batch, K, H, W] → K values [batch, 1, H, W], channel k being image k.</summary>
    public IReadOnlyList<GraphValue> SplitChannels(GraphValue x, string path)
    {
        int k = x.Shape[0];
        if (k == 1) return [x];
        var sizes = g.Int64Initializer(path + ".split", [.. Enumerable.Repeat(1L, k)]);
        var outs = g.Node("Split", path + "/split", [x.Name, sizes], [.. Enumerable.Range(1, k).Select(i => $"{path}_{i}")], Int("axis", 1));
        return [.. outs.Select(o => new GraphValue(o, [1, .. x.Shape[1..]]))];
    }

    /// <summary>A Sequential's children applied in order.</summary>
    GraphValue Chain(Sequential s, string path, GraphValue x)
    {
        foreach (var (name, child) in s.Children) x = Lower(child, Join(path, name), x);
        return x;
    }

    /// <summary>A Kernel parameter as an initializer of the same shape, named as the model names it.</summary>
    string Weight(string path, string local, Tensor p) =>
        g.Initializer(Join(path, local), Array.ConvertAll(p.Shape, d => (long)d), Floats(p, Join(path, local)));

    /// <summary>The float32 values of a parameter; float64 networks are refused rather than silently rounded.</summary>
    static float[] Floats(Tensor p, string name) =>
        p.ToValueArray() is float[] f
            ? f
            : throw new UnsupportedLayerException(name, $"parameter of dtype {p.DType}", "the exporter writes float32 networks only");

    static float[] Transposed(float[] m, int rows, int cols)
    {
        var t = new float[m.Length];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++)
                t[j * rows + i] = m[i * cols + j];
        return t;
    }
}
