using InitLab.Kernel;
using InitLab.Kernel.Nn;
using InitLab.Kernel.Optim;
using InitLab.Store;

namespace InitLab.Training;

/// <summary>
/// What a checkpoint holds of a model and its optimiser beyond the Kernel's own saves. Parameters and
/// optimiser state are the Kernel's <see cref="StateBuffer"/>s as they are (the one state type, which
/// <see cref="Checkpoint"/> writes and reads directly); this adds the optimiser's kind, the dropout
/// generators' positions (as <see cref="StateBuffer"/>s too), a finiteness check of optimiser state,
/// and turns the Kernel's refusals into <see cref="InvalidDataException"/> naming the file.
/// </summary>
public static class KernelState
{
    const string KindKey = "optimizer.kind";

    /// <summary>
    /// Writes saved parameters into the model. Every parameter must be present with its shape and
    /// element type, and hold finite values; all of it is checked before anything is written.
    /// </summary>
    public static void LoadParameters(Module model, IReadOnlyList<StateBuffer> saved, string source) =>
        AsDataError(() => model.LoadParameters(saved, source));

    /// <summary>The optimiser's state arrays and counters (<see cref="Optimizer.SaveState"/>, counters as float64 scalars) and its kind as metadata.</summary>
    public static (StateBuffer[] Tensors, Dictionary<string, string> Metadata) Optimizer(Optimizer optimizer) =>
        (optimizer.SaveState(), new Dictionary<string, string> { [KindKey] = optimizer.Kind });

    /// <summary>Restores optimiser state saved by <see cref="Optimizer(InitLab.Kernel.Optim.Optimizer)"/>.</summary>
    public static void LoadOptimizer(Optimizer optimizer, CheckpointData data, string source)
    {
        var kind = data.Metadata is not null && data.Metadata.TryGetValue(KindKey, out var k) ? k : "";
        // a NaN moment or velocity would poison every later step: refuse it by name before anything is loaded
        foreach (var t in data.OptimizerState)
            if (FirstNonFinite(t.Data) is { } i)
                throw new InvalidDataException($"{source}: optimiser state tensor '{t.Name}' holds {ValueAt(t.Data, i)} at element {i} (not finite)");
        AsDataError(() => optimizer.LoadState(kind, data.OptimizerState), source);
    }

    /// <summary>
    /// The state of every dropout layer's generator, named "dropout/" + the layer's dotted path: its
    /// counter, or [counter, seed] (<see cref="LoadGenerators"/> reads both), so a resumed run draws the
    /// masks an uninterrupted one would even in a network built from another seed.
    /// </summary>
    public static StateBuffer[] Generators(Module model) =>
        [.. Dropouts(model).Select(d => new StateBuffer(GeneratorPrefix + d.Path, [2],
            new[] { (long)d.Layer.Generator.Counter, (long)d.Layer.Generator.Seed }))];

    /// <summary>Restores generator positions saved by <see cref="Generators"/>; every dropout layer of the model must have one.</summary>
    /// <exception cref="InvalidDataException">A dropout layer has no saved position; the message names the file and the layer.</exception>
    public static void LoadGenerators(Module model, IReadOnlyList<StateBuffer> saved, string source)
    {
        var byName = saved.GroupBy(t => t.Name).ToDictionary(g => g.Key, g => g.Last());
        var found = new List<(Dropout Layer, long[] State)>();
        foreach (var (path, layer) in Dropouts(model))
        {
            if (!byName.TryGetValue(GeneratorPrefix + path, out var t) || t.Data is not long[] { Length: 1 or 2 } state)
                throw new InvalidDataException($"{source}: no generator state for dropout layer '{path}'");
            found.Add((layer, state));
        }
        foreach (var (layer, state) in found) // all checked before any is written
            if (state.Length == 2) layer.Generator.Restore((ulong)state[1], (ulong)state[0]);
            else layer.Generator.Restore((ulong)state[0]); // older sequence-study checkpoints: the counter alone
    }

    const string GeneratorPrefix = "dropout/";

    /// <summary>Every dropout layer of the model with its dotted path, in a stable order.</summary>
    static IEnumerable<(string Path, Dropout Layer)> Dropouts(Module m, string prefix = "")
    {
        if (m is Dropout d) yield return (prefix, d);
        foreach (var (name, child) in m.Children)
            foreach (var found in Dropouts(child, prefix.Length == 0 ? name : prefix + "." + name))
                yield return found;
    }

    static long? FirstNonFinite(Array data)
    {
        switch (data)
        {
            case float[] f:
                for (long i = 0; i < f.LongLength; i++) if (!float.IsFinite(f[i])) return i;
                break;
            case double[] d:
                for (long i = 0; i < d.LongLength; i++) if (!double.IsFinite(d[i])) return i;
                break;
        }
        return null;
    }

    static string ValueAt(Array data, long i) => Convert.ToString(data.GetValue(i), System.Globalization.CultureInfo.InvariantCulture) ?? "?";

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
