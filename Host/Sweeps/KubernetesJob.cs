using System.Text;

namespace InitLab.Sweeps;

/// <summary>A sweep as a Kubernetes Indexed Job: completion index i (JOB_COMPLETION_INDEX) runs task i.</summary>
public static class KubernetesJob
{
    /// <summary>The Job manifest (YAML). <paramref name="image"/> must hold the initlab tool on PATH and see the manifest at its path.</summary>
    public static string Yaml(SweepManifest manifest, string image, string store, int parallelism, int threads, string? dataRoot = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(image);
        if (parallelism < 1) throw new ArgumentException($"--max-parallel must be ≥ 1 for a Kubernetes job, got {parallelism}");
        var args = LocalPool.WorkerArguments(manifest, "__INDEX__", threads, store, dataRoot);
        var line = new WorkerCommand("initlab", []).ShellWords(args).Replace("__INDEX__", "\"$JOB_COMPLETION_INDEX\"", StringComparison.Ordinal);
        string name = "initlab-" + string.Concat(manifest.Study.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-')).Trim('-');
        var y = new StringBuilder();
        y.AppendLine("apiVersion: batch/v1");
        y.AppendLine("kind: Job");
        y.AppendLine("metadata:");
        y.AppendLine($"  name: {name[..Math.Min(name.Length, 63)]}");
        y.AppendLine($"  annotations: {{ initlab/manifest-hash: \"{manifest.Hash}\" }}");
        y.AppendLine("spec:");
        y.AppendLine("  completionMode: Indexed");
        y.AppendLine($"  completions: {manifest.Tasks.Count}");
        y.AppendLine($"  parallelism: {parallelism}");
        y.AppendLine("  backoffLimitPerIndex: 2");
        y.AppendLine("  template:");
        y.AppendLine("    spec:");
        y.AppendLine("      restartPolicy: Never");
        y.AppendLine("      containers:");
        y.AppendLine("        - name: task");
        y.AppendLine($"          image: \"{image}\"");
        y.AppendLine($"          command: [\"sh\", \"-c\", {Json(line)}]");
        y.AppendLine($"          resources: {{ requests: {{ cpu: \"{threads}\" }}, limits: {{ cpu: \"{threads}\" }} }}");
        return y.ToString();
    }

    // a JSON string is a YAML double-quoted scalar; relaxed escaping keeps the quotes readable
    static string Json(string s) => System.Text.Json.JsonSerializer.Serialize(s,
        new System.Text.Json.JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
}
