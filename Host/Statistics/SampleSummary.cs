using MathNet.Numerics.Distributions;

namespace InitLab.Statistics;

/// <summary>
/// Size, mean, sample standard deviation and the two-sided 95 % confidence interval of the mean
/// (Student t with N − 1 degrees of freedom) of a sample.
/// </summary>
/// <param name="N">Number of values.</param>
/// <param name="Mean">Arithmetic mean.</param>
/// <param name="StdDev">Sample standard deviation (N − 1 in the denominator); NaN when N is 1.</param>
/// <param name="Low95">Lower end of the 95 % interval; NaN when N is 1.</param>
/// <param name="High95">Upper end of the 95 % interval; NaN when N is 1.</param>
public sealed record SampleSummary(int N, double Mean, double StdDev, double Low95, double High95)
{
    /// <summary>Summarises <paramref name="values"/>.</summary>
    /// <exception cref="ArgumentException">The sample is empty or holds NaN or an infinity.</exception>
    public static SampleSummary Of(IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0) throw new ArgumentException("Cannot summarise an empty sample.", nameof(values));
        for (var i = 0; i < values.Count; i++)
            if (!double.IsFinite(values[i]))
                throw new ArgumentException($"Sample value {i} is {values[i]}; only finite values can be summarised.", nameof(values));
        var n = values.Count;
        var mean = values.Average();
        if (n == 1) return new SampleSummary(1, mean, double.NaN, double.NaN, double.NaN);
        var sumSq = 0.0;
        foreach (var v in values) sumSq += (v - mean) * (v - mean);
        var sd = Math.Sqrt(sumSq / (n - 1));
        var half = StudentT.InvCDF(0, 1, n - 1, 0.975) * sd / Math.Sqrt(n);
        return new SampleSummary(n, mean, sd, mean - half, mean + half);
    }
}
