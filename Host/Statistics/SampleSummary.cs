using MathNet.Numerics.Distributions;

namespace InitLab.Statistics;

/// <summary>
/// A sample of independent measurements (e.g. one arm's scores over seeds) summarised by its size, mean,
/// sample standard deviation (n − 1 denominator) and the two-sided 95 % confidence interval of the mean,
/// mean ± t(0.975, n − 1) · s / √n (Student's t, as R's <c>t.test(x)$conf.int</c>).
/// </summary>
/// <param name="N">Number of values.</param>
/// <param name="Mean">Arithmetic mean.</param>
/// <param name="StdDev">Sample standard deviation; NaN when <paramref name="N"/> is 1 (one value has no spread).</param>
/// <param name="Low95">Lower end of the 95 % interval of the mean; NaN when <paramref name="N"/> is 1.</param>
/// <param name="High95">Upper end of the 95 % interval of the mean; NaN when <paramref name="N"/> is 1.</param>
public sealed record SampleSummary(int N, double Mean, double StdDev, double Low95, double High95)
{
    /// <summary>Half the width of the 95 % interval (the "±" of "mean ± CI").</summary>
    public double HalfWidth95 => (High95 - Low95) / 2;

    /// <summary>Summarises <paramref name="values"/>; refuses an empty sample and NaN or infinite values, naming the position.</summary>
    public static SampleSummary Of(IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        Samples.RequireFinite(values, nameof(values), minCount: 1);
        int n = values.Count;
        double mean = Samples.Mean(values);
        if (n == 1) return new SampleSummary(1, mean, double.NaN, double.NaN, double.NaN);
        double sd = Math.Sqrt(Samples.Variance(values, mean));
        double half = StudentT.InvCDF(0, 1, n - 1, 0.975) * sd / Math.Sqrt(n);
        return new SampleSummary(n, mean, sd, mean - half, mean + half);
    }
}
