using InitLab.Statistics;

namespace InitLab.Store;

/// <summary>One metric of one group of runs that differ only in their seed.</summary>
/// <param name="Study">Study of the runs.</param>
/// <param name="ConfigJson">The group's configuration without its seed (canonical JSON).</param>
/// <param name="Metric">Metric name; each run contributes its value at its last logged step.</param>
/// <param name="Summary">N, mean, standard deviation and 95 % Student-t interval of those values.</param>
/// <param name="Runs">Ids of the runs whose values were summarised.</param>
/// <param name="NonFinite">Runs of the group whose last value was NaN or infinite (left out of the summary).</param>
/// <param name="Group">A name for the group: its runs' name without a trailing "/seed…" (a sweep arm), else its first run's name.</param>
public sealed record ComparisonRow(
    string Study,
    string ConfigJson,
    string Metric,
    SampleSummary Summary,
    IReadOnlyList<long> Runs,
    int NonFinite,
    string Group = "");
