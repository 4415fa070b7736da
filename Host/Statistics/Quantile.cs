namespace InitLab.Statistics;

/// <summary>
/// Sample quantiles by linear interpolation between order statistics: R's default <c>quantile(type = 7)</c>
/// and NumPy's default, h = (n − 1)·p, Q = x[⌊h⌋] + (h − ⌊h⌋)·(x[⌊h⌋+1] − x[⌊h⌋]) on the sorted sample.
/// </summary>
public static class Quantile
{
    /// <summary>The <paramref name="p"/>-quantile (p in [0, 1]) of <paramref name="values"/>.</summary>
    public static double Of(IReadOnlyList<double> values, double p)
    {
        ArgumentNullException.ThrowIfNull(values);
        Samples.RequireFinite(values, nameof(values), minCount: 1);
        if (!(p >= 0 && p <= 1)) throw new ArgumentOutOfRangeException(nameof(p), p, "a quantile's probability lies in [0, 1]");
        var x = values.ToArray();
        Array.Sort(x);
        double h = (x.Length - 1) * p;
        int lo = (int)Math.Floor(h);
        return lo + 1 < x.Length ? x[lo] + (h - lo) * (x[lo + 1] - x[lo]) : x[lo];
    }

    /// <summary>The upper quartile Q3 (p = 0.75), paper 001's score of a run.</summary>
    public static double UpperQuartile(IReadOnlyList<double> values) => Of(values, 0.75);
}
