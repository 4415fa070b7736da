namespace InitLab.Statistics;

/// <summary>
/// Holm's step-down correction (Holm 1979) of a family of p-values, as R's <c>p.adjust(p, "holm")</c>:
/// sort ascending, multiply the i-th smallest (1-based) by m − i + 1, carry the running maximum, cap at 1.
/// Rejecting where the adjusted p is below α controls the family-wise error rate at α.
/// </summary>
public static class HolmCorrection
{
    /// <summary>The adjusted p-values, in the order of <paramref name="pValues"/>. Each must lie in [0, 1].</summary>
    public static double[] Adjust(IReadOnlyList<double> pValues)
    {
        ArgumentNullException.ThrowIfNull(pValues);
        for (int i = 0; i < pValues.Count; i++)
            if (!(pValues[i] >= 0 && pValues[i] <= 1))
                throw new ArgumentException($"pValues[{i}] is {pValues[i]}; a p-value lies in [0, 1]", nameof(pValues));
        int m = pValues.Count;
        // Stable order, so ties keep their input order and the result is deterministic.
        var order = Enumerable.Range(0, m).OrderBy(i => pValues[i]).ToArray();
        var adjusted = new double[m];
        double running = 0;
        for (int rank = 0; rank < m; rank++)
        {
            int i = order[rank];
            running = Math.Max(running, Math.Min(1, (m - rank) * pValues[i]));
            adjusted[i] = running;
        }
        return adjusted;
    }

    /// <summary>Which hypotheses Holm's procedure rejects at family-wise level <paramref name="alpha"/>.</summary>
    public static bool[] Reject(IReadOnlyList<double> pValues, double alpha = 0.05)
    {
        if (!(alpha > 0 && alpha < 1))
            throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "alpha must lie in (0, 1)");
        return Adjust(pValues).Select(p => p < alpha).ToArray();
    }
}
