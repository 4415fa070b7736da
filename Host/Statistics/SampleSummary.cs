using MathNet.Numerics.Distributions;

namespace InitLab.Statistics;

/// <summary>Mean, sample standard deviation and the two-sided 95 % Student-t interval of the mean.</summary>
/// <param name="N">Number of finite values summarised.</param>
/// <param name="Mean">Arithmetic mean (NaN when N = 0).</param>
/// <param name="StdDev">Sample standard deviation, n − 1 in the denominator (NaN when N &lt; 2).</param>
/// <param name="Low95">Lower end of the 95 % confidence interval of the mean (NaN when N &lt; 2).</param>
/// <param name="High95">Upper end of the 95 % confidence interval of the mean (NaN when N &lt; 2).</param>
public sealed record SampleSummary(int N, double Mean, double StdDev, double Low95, double High95)
{
    /// <summary>Summarises <paramref name="values"/>; NaN values are left out.</summary>
    public static SampleSummary Of(IEnumerable<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var xs = values.Where(v => !double.IsNaN(v)).ToArray();
        int n = xs.Length;
        if (n == 0) return new SampleSummary(0, double.NaN, double.NaN, double.NaN, double.NaN);
        double mean = xs.Average();
        if (n == 1) return new SampleSummary(1, mean, double.NaN, double.NaN, double.NaN);
        double sd = Math.Sqrt(xs.Sum(x => (x - mean) * (x - mean)) / (n - 1));
        double half = StudentT.InvCDF(0, 1, n - 1, 0.975) * sd / Math.Sqrt(n);
        return new SampleSummary(n, mean, sd, mean - half, mean + half);
    }
}
