using System.Globalization;
using InitLab.Kernel;

namespace InitLab.Store;

/// <summary>
/// A training checkpoint as one safetensors file: tensors are stored under the prefixes
/// <c>param/</c>, <c>optim/</c> and <c>rng/</c>; the iteration and a format marker go in the metadata.
/// Saving is atomic: a crash during <see cref="Save"/> leaves the previous checkpoint intact.
/// </summary>
public static class Checkpoint
{
    /// <summary>Prefix of parameter tensors.</summary>
    public const string ParameterPrefix = "param/";
    /// <summary>Prefix of optimiser-state tensors.</summary>
    public const string OptimizerPrefix = "optim/";
    /// <summary>Prefix of generator-state tensors.</summary>
    public const string GeneratorPrefix = "rng/";

    const string ReservedPrefix = "initlab.";
    const string FormatKey = "initlab.format", FormatValue = "checkpoint";
    const string VersionKey = "initlab.version", Version = "1";
    const string IterationKey = "initlab.iteration";

    /// <summary>Writes <paramref name="data"/> to <paramref name="path"/> atomically.</summary>
    /// <exception cref="ArgumentException">Negative iteration, duplicate names, or reserved metadata keys.</exception>
    public static void Save(string path, CheckpointData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.Iteration < 0)
            throw new ArgumentException($"Checkpoint iteration must be non-negative, got {data.Iteration}.", nameof(data));
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in data.Metadata ?? new Dictionary<string, string>())
        {
            if (k.StartsWith(ReservedPrefix, StringComparison.Ordinal))
                throw new ArgumentException($"Checkpoint metadata key '{k}' uses the reserved prefix '{ReservedPrefix}'.", nameof(data));
            metadata[k] = v;
        }
        metadata[FormatKey] = FormatValue;
        metadata[VersionKey] = Version;
        metadata[IterationKey] = data.Iteration.ToString(CultureInfo.InvariantCulture);

        var tensors = new List<StateBuffer>();
        tensors.AddRange(data.Parameters.Select(t => Prefixed(ParameterPrefix, t)));
        tensors.AddRange(data.OptimizerState.Select(t => Prefixed(OptimizerPrefix, t)));
        tensors.AddRange(data.GeneratorState.Select(t => Prefixed(GeneratorPrefix, t)));
        SafeTensors.Write(path, tensors, metadata);
    }

    /// <summary>Reads a checkpoint written by <see cref="Save"/>.</summary>
    /// <exception cref="CheckpointFormatException">Malformed file or not an InitLab checkpoint.</exception>
    public static CheckpointData Load(string path)
    {
        var file = SafeTensors.Read(path);
        var meta = file.Metadata;
        if (!meta.TryGetValue(FormatKey, out var format) || format != FormatValue)
            throw new CheckpointFormatException(path, null, $"not an InitLab checkpoint (metadata '{FormatKey}' is not '{FormatValue}')");
        if (!meta.TryGetValue(VersionKey, out var version) || version != Version)
            throw new CheckpointFormatException(path, null, $"unsupported checkpoint version '{version}' (this build reads '{Version}')");
        if (!meta.TryGetValue(IterationKey, out var itText)
            || !long.TryParse(itText, NumberStyles.None, CultureInfo.InvariantCulture, out var iteration))
            throw new CheckpointFormatException(path, null, $"metadata '{IterationKey}' ('{itText}') is not a non-negative integer");

        List<StateBuffer> parameters = [], optimizer = [], generator = [];
        foreach (var t in file.Tensors)
        {
            var (list, prefix) =
                t.Name.StartsWith(ParameterPrefix, StringComparison.Ordinal) ? (parameters, ParameterPrefix)
                : t.Name.StartsWith(OptimizerPrefix, StringComparison.Ordinal) ? (optimizer, OptimizerPrefix)
                : t.Name.StartsWith(GeneratorPrefix, StringComparison.Ordinal) ? (generator, GeneratorPrefix)
                : throw new CheckpointFormatException(path, t.Name,
                    $"name has none of the prefixes '{ParameterPrefix}', '{OptimizerPrefix}', '{GeneratorPrefix}'");
            if (t.Name.Length == prefix.Length)
                throw new CheckpointFormatException(path, t.Name, "name is only a prefix");
            list.Add(t.ToStateBuffer(t.Name[prefix.Length..]));
        }
        var userMetadata = meta.Where(kv => !kv.Key.StartsWith(ReservedPrefix, StringComparison.Ordinal))
            .ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
        return new CheckpointData(iteration, parameters, optimizer, generator, userMetadata);
    }

    static StateBuffer Prefixed(string prefix, StateBuffer t) =>
        t is null ? throw new ArgumentException("A checkpoint tensor is null.", "data") : new(prefix + t.Name, t.Shape, t.Data);
}
