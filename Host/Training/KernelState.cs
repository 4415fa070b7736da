using InitLab.Kernel;
using InitLab.Kernel.Nn;
using InitLab.Kernel.Optim;
using InitLab.Store;

namespace InitLab.Training;

/// <summary>
/// Moves model parameters, optimiser state and generator state between the Kernel and checkpoint
/// tensors, bit for bit (float32 stays float32).
/// </summary>
public static class KernelState
{
    const string OptimPrefix = "optim/";
    const string KindKey = "optimizer.kind";

    /// <summary>Copies of every parameter, named as the model names them (e.g. "conv1.weight").</summary>
    public static List<NamedTensor> Parameters(Module model) =>
        model.ParametersByName
            .Select(p => new NamedTensor(p.Name, p.Value.Shape, p.Value.ToValueArray()))
            .ToList();

    /// <summary>
    /// Writes saved parameters into the model. Every parameter must be present with its shape and
    /// element type, and hold finite values; all of it is checked before anything is written.
    /// </summary>
    public static void LoadParameters(Module model, IReadOnlyList<NamedTensor> saved, string source)
    {
        var byName = saved.ToDictionary(t => t.Name, StringComparer.Ordinal);
        var named = model.ParametersByName;
        foreach (var (name, p) in named)
        {
            if (!byName.TryGetValue(name, out var t))
                throw new InvalidDataException($"{source}: parameter '{name}' is missing");
            var shape = t.Shape.Select(d => (int)d).ToArray();
            if (!shape.AsSpan().SequenceEqual(p.Shape))
                throw new InvalidDataException($"{source}: parameter '{name}' has shape [{string.Join(", ", shape)}], the model expects [{string.Join(", ", p.Shape)}]");
            if (t.DType != (p.DType.IsFloat32 ? Store.DType.F32 : Store.DType.F64))
                throw new InvalidDataException($"{source}: parameter '{name}' is {t.DType}, the model's is {p.DType}");
            if (!AllFinite(t.Data))
                throw new InvalidDataException($"{source}: parameter '{name}' holds NaN or infinite values");
        }
        var unknown = byName.Keys.Except(named.Select(t => t.Name)).ToList();
        if (unknown.Count > 0)
            throw new InvalidDataException($"{source}: unknown parameter(s) {string.Join(", ", unknown)}");
        foreach (var (name, p) in named)
            p.CopyFrom(byName[name].Data);
    }

    /// <summary>The optimiser's state arrays and counters as tensors (counters as float64 scalars).</summary>
    public static (List<NamedTensor> Tensors, Dictionary<string, string> Metadata) Optimizer(Optimizer optimizer)
    {
        var state = optimizer.GetState();
        var tensors = new List<NamedTensor>();
        foreach (var b in state.Buffers)
            tensors.Add(new NamedTensor(Strip(b.Name), b.Shape, (Array)b.Data.Clone()));
        foreach (var kv in state.Scalars)
            tensors.Add(new NamedTensor(Strip(kv.Key), Array.Empty<long>(), new[] { kv.Value }));
        return (tensors, new Dictionary<string, string> { [KindKey] = state.Kind });
    }

    /// <summary>Restores optimiser state saved by <see cref="Optimizer(InitLab.Kernel.Optim.Optimizer)"/>.</summary>
    public static void LoadOptimizer(Optimizer optimizer, CheckpointData data, string source)
    {
        var kind = data.Metadata is not null && data.Metadata.TryGetValue(KindKey, out var k) ? k : "";
        var buffers = new List<StateBuffer>();
        var scalars = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var t in data.OptimizerState)
        {
            if (t.Shape.Length == 0 && t.Data is double[] d) scalars[OptimPrefix + t.Name] = d[0];
            else buffers.Add(new StateBuffer(OptimPrefix + t.Name, t.Shape.Select(x => (int)x).ToArray(), t.Data));
        }
        try
        {
            optimizer.SetState(new OptimizerState(kind, buffers.ToArray(), scalars));
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"{source}: {e.Message}", e);
        }
    }

    static string Strip(string name) => name.StartsWith(OptimPrefix, StringComparison.Ordinal) ? name[OptimPrefix.Length..] : name;

    static bool AllFinite(Array data) => data switch
    {
        float[] f => f.All(float.IsFinite),
        double[] d => d.All(double.IsFinite),
        _ => true,
    };
}
