using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using InitLab.Store;

namespace InitLab.Sweeps;

/// <summary>
/// A study's arms × seeds as a file of tasks with stable indices. Each task carries its full config and
/// config hash; the file carries a hash of its whole content, so a corrupt or hand-edited manifest is
/// refused instead of silently training something else under an old task index.
/// </summary>
public sealed class SweepManifest
{
    /// <summary>Format tag in the file.</summary>
    public const string Format = "initlab-sweep";

    /// <summary>Format version this build writes and reads.</summary>
    public const int Version = 1;

    /// <summary>Study name: the runs' study in the store.</summary>
    public string Study { get; }

    /// <summary>Tasks in index order.</summary>
    public IReadOnlyList<SweepTask> Tasks { get; }

    /// <summary>SHA-256 of the manifest's canonical content (everything but this hash).</summary>
    public string Hash { get; }

    /// <summary>Full path of the file, once saved or loaded.</summary>
    public string? Path { get; private set; }

    SweepManifest(string study, IReadOnlyList<SweepTask> tasks)
    {
        Study = study;
        Tasks = tasks;
        Hash = ConfigHash.Sha256(CanonicalContent(study, tasks));
    }

    /// <summary>Expands arms × seeds into tasks, arm by arm in the order given, seeds in the order given.</summary>
    /// <exception cref="ArgumentException">No arms, an empty or repeated arm name, an arm without seeds, an impossible config, or two tasks with the same config.</exception>
    public static SweepManifest Plan(string study, IEnumerable<SweepArm> arms)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(study);
        ArgumentNullException.ThrowIfNull(arms);
        var tasks = new List<SweepTask>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        var hashes = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var arm in arms)
        {
            if (string.IsNullOrWhiteSpace(arm.Name)) throw new ArgumentException($"study '{study}': an arm has an empty name");
            if (!names.Add(arm.Name)) throw new ArgumentException($"study '{study}': arm '{arm.Name}' is declared twice");
            if (arm.Seeds is null || arm.Seeds.Count == 0) throw new ArgumentException($"study '{study}': arm '{arm.Name}' has no seeds");
            foreach (var seed in arm.Seeds)
            {
                var config = arm.Config with { Seed = seed };
                config.Validate($"arm '{arm.Name}' seed {seed}");
                var hash = ConfigHash.Of(config);
                var name = $"{arm.Name}/seed{seed}";
                if (!hashes.TryAdd(hash, name))
                    throw new ArgumentException($"study '{study}': {name} has the same config as {hashes[hash]}; a sweep trains each config once");
                tasks.Add(new SweepTask(tasks.Count, arm.Name, config, hash));
            }
        }
        if (tasks.Count == 0) throw new ArgumentException($"study '{study}' declares no arms");
        return new SweepManifest(study, tasks);
    }

    /// <summary>The task at <paramref name="index"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The index is outside 0..count−1 (the message names both).</exception>
    public SweepTask Task(int index) =>
        index >= 0 && index < Tasks.Count
            ? Tasks[index]
            : throw new ArgumentOutOfRangeException(nameof(index), index,
                $"task index {index} is out of range: manifest {Path ?? Study} has {Tasks.Count} task(s), indices 0..{Tasks.Count - 1}");

    /// <summary>Folder of the sweep's checkpoints, locks and scheduler files: beside the manifest, named after it.</summary>
    public string WorkDirectory =>
        Path is null ? throw new InvalidOperationException("the manifest has not been saved")
            : System.IO.Path.Combine(System.IO.Path.GetDirectoryName(Path)!, System.IO.Path.GetFileNameWithoutExtension(Path) + ".work");

    /// <summary>Writes the manifest atomically to <paramref name="path"/> and remembers the path.</summary>
    public void Save(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var full = System.IO.Path.GetFullPath(path);
        var doc = Content(Study, Tasks);
        doc["hash"] = Hash;
        var text = System.Text.Encoding.UTF8.GetBytes(doc.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        AtomicFile.Write(full, s => s.Write(text));
        Path = full;
    }

    /// <summary>Reads and verifies a manifest.</summary>
    /// <exception cref="SweepManifestException">Missing, unreadable, not a manifest, or its hashes do not match its content.</exception>
    public static SweepManifest Load(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var full = System.IO.Path.GetFullPath(path);
        if (!File.Exists(full)) throw new SweepManifestException(full, "no such file");
        JsonObject doc;
        try
        {
            doc = JsonNode.Parse(File.ReadAllText(full)) as JsonObject
                  ?? throw new SweepManifestException(full, "not a JSON object");
        }
        catch (JsonException e)
        {
            throw new SweepManifestException(full, $"not valid JSON ({e.Message}); the file is corrupt", e);
        }
        catch (IOException e)
        {
            throw new SweepManifestException(full, $"cannot be read: {e.Message}", e);
        }
        try
        {
            if ((string?)doc["format"] != Format) throw new SweepManifestException(full, $"not a sweep manifest (format is not '{Format}')");
            if ((int?)doc["version"] != Version) throw new SweepManifestException(full, $"version {doc["version"]} is not {Version}, the version this build reads");
            var study = (string?)doc["study"] ?? throw new SweepManifestException(full, "no study");
            var stored = (string?)doc["hash"] ?? throw new SweepManifestException(full, "no hash");
            if (doc["tasks"] is not JsonArray items || items.Count == 0) throw new SweepManifestException(full, "no tasks");
            var tasks = new List<SweepTask>(items.Count);
            foreach (var item in items)
            {
                var t = item as JsonObject ?? throw new SweepManifestException(full, $"task {tasks.Count} is not an object");
                int index = (int?)t["index"] ?? -1;
                if (index != tasks.Count) throw new SweepManifestException(full, $"task at position {tasks.Count} has index {t["index"]}; indices must run 0..n−1 in order");
                var configNode = t["config"] as JsonObject ?? throw new SweepManifestException(full, $"task {index} has no config");
                var config = configNode.Deserialize<TaskConfig>(ConfigHash.Json) ?? throw new SweepManifestException(full, $"task {index} has no config");
                var hash = ConfigHash.Of(config);
                if (hash != (string?)t["configHash"] || hash != ConfigHash.OfJson(configNode.ToJsonString()))
                    throw new SweepManifestException(full, $"task {index}: config hash mismatch (stored {t["configHash"]}, content {hash}); the manifest was edited or is corrupt — plan it again");
                tasks.Add(new SweepTask(index, (string?)t["arm"] ?? throw new SweepManifestException(full, $"task {index} has no arm"), config, hash));
            }
            var manifest = new SweepManifest(study, tasks);
            if (manifest.Hash != stored)
                throw new SweepManifestException(full, $"manifest hash mismatch (stored {stored}, content {manifest.Hash}); the manifest was edited or is corrupt — plan it again");
            manifest.Path = full;
            return manifest;
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException or ArgumentException)
        {
            throw new SweepManifestException(full, $"malformed ({e.Message})", e);
        }
    }

    /// <summary>Images trained over all tasks.</summary>
    public long TotalImages => Tasks.Sum(t => (long)t.Config.Iterations * t.Config.Batch);

    /// <summary>
    /// A rough single-core cost of all tasks, from measured training throughput per thread on the
    /// development machine (README): LeNet-5 ≈ 4,500 img/s, the two-layer net ≈ 100,000 img/s.
    /// </summary>
    public TimeSpan EstimatedCoreTime =>
        TimeSpan.FromSeconds(Tasks.Sum(t => (double)t.Config.Iterations * t.Config.Batch / (t.Config.Model == "lenet5" ? 4500.0 : 100_000.0)));

    static JsonObject Content(string study, IReadOnlyList<SweepTask> tasks)
    {
        var items = new JsonArray();
        foreach (var t in tasks)
            items.Add(new JsonObject
            {
                ["index"] = t.Index,
                ["arm"] = t.Arm,
                ["configHash"] = t.ConfigHash,
                ["config"] = JsonNode.Parse(ConfigHash.CanonicalJsonOf(t.Config)),
            });
        return new JsonObject { ["format"] = Format, ["version"] = Version, ["study"] = study, ["tasks"] = items };
    }

    static string CanonicalContent(string study, IReadOnlyList<SweepTask> tasks) =>
        CanonicalJson.Normalize(Content(study, tasks).ToJsonString(), "manifest");

    /// <summary>"12 tasks, 768,000 images, ≈ 0.05 core-hours".</summary>
    public string Describe() =>
        string.Create(CultureInfo.InvariantCulture,
            $"{Tasks.Count} task(s) of study '{Study}', {TotalImages:N0} training images, estimated {EstimatedCoreTime.TotalHours:F3} core-hours ({EstimatedCoreTime.TotalMinutes:F1} core-minutes)");
}
