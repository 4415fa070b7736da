using System.Security.Cryptography;
using System.Text;
using InitLab.Kernel;
using InitLab.Kernel.Nn;
using InitLab.Store;
using InitLab.Training;

namespace InitLab.Export.Onnx;

/// <summary>
/// The logic of <c>initlab export onnx</c>: a training checkpoint's parameters loaded into the named
/// network (or the one reference network whose parameters they fit), written as ONNX. This is the
/// exporter's only contact with checkpoints.
/// </summary>
public static class CheckpointOnnxExport
{
    /// <summary>Metadata key recording the checkpoint's iteration.</summary>
    public const string IterationKey = "iteration";

    /// <summary>
    /// Exports the checkpoint at <paramref name="checkpointPath"/> to <paramref name="outPath"/>.
    /// <paramref name="network"/> is one of <see cref="Models.Names"/>, or null to infer it from the
    /// parameter names and shapes; <paramref name="run"/>, when given, supplies run id, config hash and
    /// data fingerprint for the model's metadata.
    /// </summary>
    /// <exception cref="FileNotFoundException">The checkpoint does not exist.</exception>
    /// <exception cref="CheckpointFormatException">The file is corrupt or not an InitLab checkpoint.</exception>
    /// <exception cref="InvalidDataException">Its parameters fit no network (or not the one named).</exception>
    /// <exception cref="UnsupportedLayerException">The network has a layer ONNX export cannot express.</exception>
    /// <exception cref="IOException">The output cannot be written; nothing is left half-written.</exception>
    public static OnnxExportResult Export(string checkpointPath, string outPath, string? network = null,
                                          RunRecord? run = null, OnnxExportOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(checkpointPath);
        ArgumentException.ThrowIfNullOrWhiteSpace(outPath);
        if (network is not null && !Models.Names.Contains(network))
            throw new ArgumentException($"unknown network '{network}'; expected one of {string.Join(", ", Models.Names)}", nameof(network));
        if (!File.Exists(checkpointPath))
            throw new FileNotFoundException($"checkpoint '{checkpointPath}' does not exist", checkpointPath);
        var data = Checkpoint.Load(checkpointPath);
        var model = network is null ? Infer(data.Parameters, checkpointPath) : Models.Create(network, new Generator(0));
        KernelState.LoadParameters(model, data.Parameters, checkpointPath);
        model.Eval();

        options ??= new OnnxExportOptions();
        var metadata = new Dictionary<string, string>(options.Metadata ?? new Dictionary<string, string>(), StringComparer.Ordinal)
        {
            [IterationKey] = data.Iteration.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        options = options with
        {
            RunId = options.RunId ?? run?.Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ConfigHash = options.ConfigHash ?? (run is null ? null : ConfigHash(run.ConfigJson)),
            DataFingerprint = options.DataFingerprint ?? run?.DataFingerprint,
            Metadata = metadata,
        };
        return OnnxExporter.Export(model, outPath, options);
    }

    /// <summary>SHA-256 (hex) of a run's canonical configuration JSON.</summary>
    public static string ConfigHash(string configJson) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(configJson)));

    /// <summary>The one reference network whose parameter names and shapes are exactly the checkpoint's.</summary>
    static Module Infer(IReadOnlyList<StateBuffer> saved, string path)
    {
        var savedShapes = saved.ToDictionary(t => t.Name, t => string.Join(",", t.Shape), StringComparer.Ordinal);
        var matches = Models.Names
            .Select(name => (name, model: Models.Create(name, new Generator(0))))
            .Where(c => c.model.ParametersByName.Length == savedShapes.Count
                        && c.model.ParametersByName.All(p => savedShapes.TryGetValue(p.Name, out var s) && s == string.Join(",", p.Value.Shape)))
            .ToList();
        if (matches.Count == 1) return matches[0].model;
        var shown = string.Join(", ", saved.Take(4).Select(t => $"{t.Name} [{string.Join(", ", t.Shape)}]")) + (saved.Count > 4 ? ", …" : "");
        throw new InvalidDataException(matches.Count == 0
            ? $"'{path}': its parameters ({(saved.Count == 0 ? "none" : shown)}) fit none of the networks {string.Join(", ", Models.Names)}; name one with --model"
            : $"'{path}': its parameters fit several networks ({string.Join(", ", matches.Select(m => m.name))}); name one with --model");
    }
}
