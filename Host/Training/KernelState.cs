using InitLab.Kernel.Nn;
using InitLab.Kernel.Optim;
using InitLab.Store;

namespace InitLab.Training;

/// <summary>
/// Parameters and optimiser state as checkpoint tensors. The Kernel gives both as one state type
/// (<see cref="StateBuffer"/>, names as the checkpoint keeps them); this maps it 1:1 onto the file's
/// entries, bit for bit (float32 stays float32), and turns the Kernel's refusals into
/// <see cref="InvalidDataException"/> naming the file.
/// </summary>
public static class KernelState
{
    const string KindKey = "optimizer.kind";

    /// <summary>Copies of every parameter, named as the model names them (e.g. "conv1.weight").</summary>
    public static List<NamedTensor> Parameters(Module model) => model.SaveParameters().Select(ToFile).ToList();

    /// <summary>
    /// Writes saved parameters into the model. Every parameter must be present with its shape and
    /// element type, and hold finite values; all of it is checked before anything is written.
    /// </summary>
    public static void LoadParameters(Module model, IReadOnlyList<NamedTensor> saved, string source) =>
        AsDataError(() => model.LoadParameters(saved.Select(ToKernel), source));

    /// <summary>The optimiser's state arrays and counters as tensors (counters as float64 scalars).</summary>
    public static (List<NamedTensor> Tensors, Dictionary<string, string> Metadata) Optimizer(Optimizer optimizer) =>
        (optimizer.SaveState().Select(ToFile).ToList(), new Dictionary<string, string> { [KindKey] = optimizer.Kind });

    /// <summary>Restores optimiser state saved by <see cref="Optimizer(InitLab.Kernel.Optim.Optimizer)"/>.</summary>
    public static void LoadOptimizer(Optimizer optimizer, CheckpointData data, string source)
    {
        var kind = data.Metadata is not null && data.Metadata.TryGetValue(KindKey, out var k) ? k : "";
        AsDataError(() => optimizer.LoadState(kind, data.OptimizerState.Select(ToKernel)), source);
    }

    static NamedTensor ToFile(StateBuffer b) => new(b.Name, b.Shape, b.Data);

    static StateBuffer ToKernel(NamedTensor t) => new(t.Name, t.Shape.Select(d => checked((int)d)).ToArray(), t.Data);

    static void AsDataError(Action load, string? source = null)
    {
        try
        {
            load();
        }
        catch (ArgumentException e)
        {
            var message = e.Message.Replace($" (Parameter '{e.ParamName}')", "");
            throw new InvalidDataException(source is null ? message : $"{source}: {message}", e);
        }
    }
}
