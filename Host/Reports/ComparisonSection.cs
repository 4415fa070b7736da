using System.Globalization;
using InitLab.Studies.Comparison;

namespace InitLab.Reports;

/// <summary>
/// The report section of <see cref="NetworkComparison"/>: Tables 2 and 3 again after aligning hidden
/// units, CKA per layer, and the interpolation barriers, with the plain-words conclusion first.
/// </summary>
public static class ComparisonSection
{
    static readonly CultureInfo Ci = CultureInfo.InvariantCulture;
    static string F1(double v) => v.ToString("F1", Ci);
    static string F3(double v) => double.IsFinite(v) ? v.ToString("F3", Ci) : "undefined";
    static string Pct(double v) => v.ToString("P1", Ci);

    /// <summary>Appends the comparison to <paramref name="report"/> and returns the report.</summary>
    public static Report AppendComparison(this Report report, NetworkComparisonResult result)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(result);
        var diff = result.DifferentInit.ToList();
        var same = result.SameInit.ToList();
        report.Heading("Beyond position-wise sums: aligned distance, CKA and interpolation barrier");
        report.Paragraph("Hidden units (convolution channels, fully connected units) can be reordered without changing what a network computes, "
            + "so two networks can be far apart weight by weight while computing nearly the same thing. Weight matching (Ainsworth et al. 2022, "
            + "Git Re-Basin) reorders the second network's units to best match the first's before the distance is taken; CKA (Kornblith et al. 2019) "
            + "compares what layers compute on a probe set and ignores unit order by construction; the barrier (Frankle et al. 2020) is how far the "
            + "loss rises above the endpoints' mean on the straight line between two networks.");
        report.Heading("Conclusion", 3);
        report.Paragraph(result.Conclusion);

        double Mean(IEnumerable<double> xs) => xs.DefaultIfEmpty(double.NaN).Average();
        double Barrier(List<PairComparison> ps, bool after) => Mean(ps.SelectMany(p => p.Paths).Select(p => after ? p.BarrierAfter : p.BarrierBefore));
        report.Table(["measure", "different initial weights", "same initial weights"],
        [
            ["pairs", diff.Count.ToString(Ci), same.Count.ToString(Ci)],
            ["mean Σ|Δw|, position by position", F1(Mean(diff.Select(p => p.DistanceBefore))), F1(Mean(same.Select(p => p.DistanceBefore)))],
            ["mean Σ|Δw|, after alignment", F1(Mean(diff.Select(p => p.DistanceAfter))), F1(Mean(same.Select(p => p.DistanceAfter)))],
            ["share of the distance that is permutation", Pct(Mean(diff.Select(p => p.PermutationShare))), Pct(Mean(same.Select(p => p.PermutationShare)))],
            ["hidden units moved by alignment", Pct(Mean(diff.Select(p => (double)p.UnitsMoved / p.HiddenUnits))), Pct(Mean(same.Select(p => (double)p.UnitsMoved / p.HiddenUnits)))],
            ["mean barrier, before alignment", F3(Barrier(diff, false)), F3(Barrier(same, false))],
            ["mean barrier, after alignment", F3(Barrier(diff, true)), F3(Barrier(same, true))],
        ], "Different initial weights: pairs within a group. Same initial weights: model k of each group.");

        foreach (var group in new[] { result.FirstGroup, result.SecondGroup })
        {
            var before = result.DistanceMatrix(group, aligned: false);
            var after = result.DistanceMatrix(group, aligned: true);
            int n = before.GetLength(0);
            if (n < 2) continue;
            var names = Enumerable.Range(1, n).Select(k => $"{group}{k}").ToArray();
            report.Heading($"Table 2 after alignment: {group} models", 3);
            report.Table(["", .. names],
                Enumerable.Range(0, n).Select(i => (string?[])[names[i], .. Enumerable.Range(0, n).Select(j =>
                    i == j ? "0.0" : j > i ? F1(after[i, j]) : F1(before[i, j]))]),
                "Above the diagonal: Σ|Δw| after aligning the column's model to the row's. Below: position by position, as in Table 2.");
        }

        report.Heading($"Table 3 after alignment: {result.FirstGroup} k vs {result.SecondGroup} k", 3);
        report.Table(["pair", "Σ|Δw| position by position", "Σ|Δw| aligned", "share that is permutation", "units moved"],
            same.Select(p => (string?[])[$"{p.First} vs {p.Second}", F1(p.DistanceBefore), F1(p.DistanceAfter), Pct(p.PermutationShare), $"{p.UnitsMoved} / {p.HiddenUnits}"]));

        var layerPairs = same.Concat(diff.Where(p => p.Group == result.FirstGroup)).ToList();
        foreach (var (title, debiased) in new[] { ("Linear CKA per layer", false), ("Debiased linear CKA per layer", true) })
        {
            report.Heading(title, 3);
            report.Table(["pair", .. result.Layers],
                layerPairs.Select(p => (string?[])[$"{p.First} vs {p.Second}", .. (debiased ? p.LayerCkaDebiased : p.LayerCka).Select(F3)]),
                $"Layer l of one model against layer l of the other on {result.ProbeCount} images of {result.ProbeName}; 1 = the same representation up to rotation and scale.");
        }
        var layers = result.Layers.ToArray();
        report.Heatmap($"CKA, {result.FirstGroup}1 (rows) vs {result.SecondGroup}1 (columns): same initial weights", result.CkaMatrixSameInit, layers, layers);
        if (result.CkaMatrixDifferentInit is { } d)
            report.Heatmap($"CKA, {result.FirstGroup}1 (rows) vs {result.FirstGroup}2 (columns): different initial weights", d, layers, layers);

        report.Heading("Interpolation barriers", 3);
        report.Table(["pair", "scored on", "barrier before alignment", "barrier after alignment", "accuracy at α = 0.5 before", "after"],
            result.Pairs.SelectMany(p => p.Paths.Select(path => (string?[])[$"{p.First} vs {p.Second}", path.DataName,
                F3(path.BarrierBefore), F3(path.BarrierAfter), Pct(Middle(path.Before).Accuracy), Pct(Middle(path.After).Accuracy)])),
            "Loss along (1 − α)·A + α·B; barrier = highest loss on the path − mean of the endpoints' losses.");
        var shown = new[] { diff.FirstOrDefault(), same.FirstOrDefault() }.Where(p => p is not null).Select(p => p!).ToList();
        var series = new List<Series>();
        foreach (var p in shown)
        {
            var path = p.Paths[0];
            series.Add(new Series($"{p.First}→{p.Second}", path.Before.Select(q => q.Alpha).ToArray(), path.Before.Select(q => q.Loss).ToArray()));
            series.Add(new Series($"{p.First}→{p.Second} aligned", path.After.Select(q => q.Alpha).ToArray(), path.After.Select(q => q.Loss).ToArray()));
        }
        if (series.Count > 0)
            report.LineChart("Loss along the straight path between two models", "α", "cross-entropy loss", series,
                $"Scored on {shown[0].Paths[0].DataName}. α = 0 is the first model, α = 1 the second (aligned or not).");
        report.KeyValues("Comparison", [("probe set", $"{result.ProbeCount} images of {result.ProbeName}"), ("wall time", $"{result.Seconds:F1} s")]);
        return report;
    }

    static PathPoint Middle(IReadOnlyList<PathPoint> path) => path.MinBy(p => Math.Abs(p.Alpha - 0.5))!;
}
