using System.Text.Json;
using System.Text.Json.Nodes;

namespace InitLab.Sweeps;

/// <summary>
/// A study's arms as a JSON file, for <c>initlab sweep plan --arms FILE</c>:
/// <c>{"study": "s", "seeds": [1,2], "arms": [{"name": "a", "config": {"model": "lenet5", …}, "seeds": [3]}]}</c>.
/// An arm without seeds uses the file's (or the command line's) seeds; config keys are those of <see cref="TaskConfig"/>.
/// </summary>
public static class SweepArmsFile
{
    /// <summary>Reads the file into a <see cref="Sweep"/>; <paramref name="defaultSeeds"/> serve arms that name none.</summary>
    /// <exception cref="InvalidDataException">Unreadable, malformed, or an unknown config key (the message names the file and the key).</exception>
    public static Sweep Load(string path, string? study = null, IReadOnlyList<int>? defaultSeeds = null)
    {
        var full = Path.GetFullPath(path);
        if (!File.Exists(full)) throw new InvalidDataException($"arms file {full}: no such file");
        try
        {
            var doc = JsonNode.Parse(File.ReadAllText(full)) as JsonObject ?? throw new InvalidDataException($"arms file {full}: not a JSON object");
            var name = study ?? (string?)doc["study"] ?? throw new InvalidDataException($"arms file {full}: no study (give \"study\" or --study)");
            var seeds = doc["seeds"]?.Deserialize<int[]>() ?? defaultSeeds?.ToArray();
            if (doc["arms"] is not JsonArray arms || arms.Count == 0) throw new InvalidDataException($"arms file {full}: no arms");
            var known = typeof(TaskConfig).GetProperties().Where(p => p.CanWrite)
                .Select(p => JsonNamingPolicy.CamelCase.ConvertName(p.Name)).ToHashSet(StringComparer.Ordinal);
            var sweep = new Sweep(name);
            foreach (var node in arms)
            {
                var arm = node as JsonObject ?? throw new InvalidDataException($"arms file {full}: an arm is not an object");
                var armName = (string?)arm["name"] ?? throw new InvalidDataException($"arms file {full}: an arm has no name");
                var configNode = arm["config"] as JsonObject ?? new JsonObject();
                foreach (var (key, _) in configNode)
                    if (!known.Contains(key))
                        throw new InvalidDataException($"arms file {full}: arm '{armName}' has unknown config key '{key}' (known: {string.Join(", ", known.Order())})");
                var config = configNode.Deserialize<TaskConfig>(ConfigHash.Json) ?? new TaskConfig();
                var armSeeds = arm["seeds"]?.Deserialize<int[]>() ?? seeds
                    ?? throw new InvalidDataException($"arms file {full}: arm '{armName}' has no seeds (give \"seeds\" or --seeds)");
                sweep.Arm(armName, config, armSeeds);
            }
            return sweep;
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"arms file {full}: malformed JSON ({e.Message})", e);
        }
    }
}
