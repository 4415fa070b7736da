using System.Globalization;
using System.Text;
using InitLab.Statistics;
using InitLab.Store;

namespace InitLab.Sweeps;

/// <summary>One metric of one group of runs that differ only in their seed.</summary>
/// <param name="Study">Study of the runs.</param>
/// <param name="Group">Name of the group (the runs' name without its seed suffix, else the first run's name).</param>
/// <param name="Config">Shared configuration: canonical JSON without "seed".</param>
/// <param name="Metric">Metric name; its last logged value per run is summarised.</param>
/// <param name="Summary">N, mean, standard deviation and 95 % interval across the runs.</param>
public sealed record MetricComparison(string Study, string Group, string Config, string Metric, SampleSummary Summary);

/// <summary>Groups finished runs by config minus seed and summarises each metric's final value across seeds.</summary>
public static class RunComparison
{
    /// <summary>The comparison of the finished runs of <paramref name="study"/> (all studies when null).</summary>
    public static IReadOnlyList<MetricComparison> Of(RunStore store, string? study = null, IReadOnlyCollection<string>? metrics = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        var result = new List<MetricComparison>();
        var groups = store.GetRuns(study).Where(r => r.Status == RunStatus.Finished)
            .GroupBy(r => (r.Study, Config: ConfigHash.WithoutSeed(r.ConfigJson)));
        foreach (var g in groups)
        {
            var finals = new SortedDictionary<string, List<double>>(StringComparer.Ordinal);
            foreach (var run in g)
                foreach (var m in store.GetMetrics(run.Id).GroupBy(p => p.Name))
                    if (metrics is null || metrics.Contains(m.Key))
                    {
                        if (!finals.TryGetValue(m.Key, out var list)) finals[m.Key] = list = [];
                        list.Add(m.MaxBy(p => p.Step).Value);
                    }
            var first = g.First().Name;
            var slash = first.LastIndexOf("/seed", StringComparison.Ordinal);
            var name = slash > 0 ? first[..slash] : first;
            foreach (var (metric, values) in finals)
                result.Add(new MetricComparison(g.Key.Study, name, g.Key.Config, metric, SampleSummary.Of(values)));
        }
        return result;
    }

    /// <summary>The comparison as CSV: study, group, metric, n, mean, sd, low95, high95, config.</summary>
    public static string ToCsv(IEnumerable<MetricComparison> rows)
    {
        var s = new StringBuilder("study,group,metric,n,mean,sd,low95,high95,config\n");
        foreach (var r in rows)
            s.AppendLine(string.Join(',', Csv(r.Study), Csv(r.Group), Csv(r.Metric), r.Summary.N.ToString(CultureInfo.InvariantCulture),
                Num(r.Summary.Mean), Num(r.Summary.StdDev), Num(r.Summary.Low95), Num(r.Summary.High95), Csv(r.Config)));
        return s.ToString();
    }

    static string Num(double v) => double.IsNaN(v) ? "" : v.ToString("R", CultureInfo.InvariantCulture);

    static string Csv(string v) => v.IndexOfAny([',', '"', '\n']) < 0 ? v : "\"" + v.Replace("\"", "\"\"") + "\"";
}
