using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace InitLab.Export.Onnx;

/// <summary>
/// An ONNX model loaded in ONNX Runtime on the CPU with a fixed number of intra-op threads (one by
/// default, so results do not depend on the machine's load): the reference an export is checked against.
/// </summary>
public sealed class OnnxInference : IDisposable
{
    readonly SessionOptions options;
    readonly InferenceSession session;

    /// <summary>Loads <paramref name="path"/>.</summary>
    /// <exception cref="InvalidDataException">ONNX Runtime refuses the file; the message names it and says why.</exception>
    public OnnxInference(string path, int intraOpThreads = 1)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (intraOpThreads < 1) throw new ArgumentOutOfRangeException(nameof(intraOpThreads), intraOpThreads, "ONNX Runtime needs at least one thread");
        options = new SessionOptions
        {
            IntraOpNumThreads = intraOpThreads,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        try
        {
            session = new InferenceSession(path, options);
        }
        catch (OnnxRuntimeException e)
        {
            options.Dispose();
            throw new InvalidDataException($"'{path}': ONNX Runtime cannot load the model: {e.Message}", e);
        }
    }

    /// <summary>The version of the ONNX Runtime library loaded.</summary>
    public static string RuntimeVersion => OrtEnv.Instance().GetVersionString();

    /// <summary>The graph's input names, in order.</summary>
    public IReadOnlyList<string> InputNames => [.. session.InputMetadata.Keys];

    /// <summary>The graph's output names, in order.</summary>
    public IReadOnlyList<string> OutputNames => [.. session.OutputMetadata.Keys];

    /// <summary>Runs the model on a single-input graph; returns its first output.</summary>
    public OnnxTensor Run(float[] data, int[] shape) => Run(new OnnxTensor(InputNames[0], data, shape));

    /// <summary>Runs the model on named inputs; returns its first output.</summary>
    /// <exception cref="ArgumentException">An input is missing, unknown or of the wrong shape (ONNX Runtime's message).</exception>
    public OnnxTensor Run(params OnnxTensor[] inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var values = inputs.Select(i => NamedOnnxValue.CreateFromTensor(i.Name, new DenseTensor<float>(i.Data, i.Shape))).ToList();
        try
        {
            using var results = session.Run(values);
            var first = results[0];
            var t = first.AsTensor<float>();
            return new OnnxTensor(first.Name, t.ToArray(), t.Dimensions.ToArray());
        }
        catch (OnnxRuntimeException e)
        {
            throw new ArgumentException($"ONNX Runtime rejected the inputs [{string.Join(", ", inputs.Select(i => $"{i.Name}: [{string.Join(", ", i.Shape)}]"))}]: {e.Message}", nameof(inputs), e);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        session.Dispose();
        options.Dispose();
    }
}
