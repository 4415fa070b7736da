using System.Globalization;
using System.Text.Json.Nodes;
using InitLab.Statistics;

namespace InitLab.Store;

/// <summary>
/// Compares finished runs: runs of one study whose configurations are equal once the seed is taken out
/// form a group, and each metric's final values in a group are summarised (N, mean, 95 % CI).
/// </summary>
public static class RunComparison
{
    /// <summary>The configuration keys that only choose a seed (removed at the top level before grouping).</summary>
    public static readonly IReadOnlyList<string> SeedKeys = ["seed"];

    /// <summary>
    /// Groups the finished runs of <paramref name="study"/> (all studies when null), ordered by study, config, metric;
    /// only the metrics named in <paramref name="metrics"/> when given.
    /// </summary>
    public static IReadOnlyList<ComparisonRow> Compare(RunStore store, string? study = null, IReadOnlyCollection<string>? metrics = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        var rows = new List<ComparisonRow>();
        var groups = store.GetRuns(study)
            .Where(r => r.Status == RunStatus.Finished)
            .GroupBy(r => (r.Study, Config: WithoutSeed(r.ConfigJson)))
            .OrderBy(g => g.Key.Study, StringComparer.Ordinal).ThenBy(g => g.Key.Config, StringComparer.Ordinal);
        foreach (var group in groups)
        {
            var finals = group.Select(run => (run.Id, Last: store.GetMetrics(run.Id)
                    .GroupBy(m => m.Name)
                    .ToDictionary(g => g.Key, g => g.MaxBy(m => m.Step).Value, StringComparer.Ordinal)))
                .ToList();
            var name = GroupName(group.First().Name);
            foreach (var metric in finals.SelectMany(f => f.Last.Keys).Distinct().Order(StringComparer.Ordinal))
            {
                if (metrics is { Count: > 0 } && !metrics.Contains(metric)) continue;
                var present = finals.Where(f => f.Last.ContainsKey(metric)).ToList();
                var finite = present.Where(f => double.IsFinite(f.Last[metric])).ToList();
                if (finite.Count == 0) continue;
                rows.Add(new ComparisonRow(group.Key.Study, group.Key.Config, metric,
                    SampleSummary.Of(finite.Select(f => f.Last[metric]).ToList()),
                    finite.Select(f => f.Id).ToList(), present.Count - finite.Count, name));
            }
        }
        return rows;
    }

    /// <summary>
    /// Writes <paramref name="rows"/> as CSV (RFC 4180, invariant culture, header
    /// <c>study,group,config,metric,n,mean,stddev,low95,high95,non_finite,runs</c>; NaN as empty).
    /// </summary>
    public static void WriteCsv(IEnumerable<ComparisonRow> rows, TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(writer);
        writer.Write("study,group,config,metric,n,mean,stddev,low95,high95,non_finite,runs\n");
        foreach (var r in rows)
        {
            var s = r.Summary;
            writer.Write(string.Join(",",
                Field(r.Study), Field(r.Group), Field(r.ConfigJson), Field(r.Metric), s.N.ToString(CultureInfo.InvariantCulture),
                Number(s.Mean), Number(s.StdDev), Number(s.Low95), Number(s.High95),
                r.NonFinite.ToString(CultureInfo.InvariantCulture), Field(string.Join(' ', r.Runs))));
            writer.Write('\n');
        }
    }

    /// <summary>The canonical configuration with the top-level seed keys removed.</summary>
    public static string WithoutSeed(string configJson)
    {
        var node = JsonNode.Parse(configJson);
        if (node is JsonObject obj)
            foreach (var key in SeedKeys) obj.Remove(key);
        return CanonicalJson.Normalize(node?.ToJsonString() ?? "null", "Config");
    }

    /// <summary>A run's name without a trailing "/seed…" (how sweep tasks name runs: arm/seedN).</summary>
    static string GroupName(string run)
    {
        var slash = run.LastIndexOf("/seed", StringComparison.Ordinal);
        return slash > 0 ? run[..slash] : run;
    }

    static string Number(double v) => double.IsNaN(v) ? "" : v.ToString("R", CultureInfo.InvariantCulture);

    static string Field(string s) =>
        s.IndexOfAny([',', '"', '\n', '\r']) < 0 ? s : "\"" + s.Replace("\"", "\"\"") + "\"";
}
