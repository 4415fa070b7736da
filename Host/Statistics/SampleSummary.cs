using MathNet.Numerics.Distributions;

namespace InitLab.Statistics;

/// <summary>
/// A sample of independent measurements (e.g. one arm's scores over seeds): size, mean, sample standard
/// deviation (n − 1) and the two-sided 95 % interval of the mean, mean ± t(0.975, n − 1)·s/√n.
/// </summary>
/// <param name="N">Number of values.</param>
/// <param name="Mean">Arithmetic mean.</param>
/// <param name="StdDev">Sample standard deviation; NaN when <paramref name="N"/> is 1.</param>
/// <param name="Low95">Lower end of the 95 % interval of the mean; NaN when <paramref name="N"/> is 1.</param>
/// <param name="High95">Upper end of the 95 % interval of the mean; NaN when <paramref name="N"/> is 1.</param>
public sealed record SampleSummary(int N, double Mean, double StdDev, double Low95, double High95)
{
    /// <summary>Half the width of the 95 % interval.</summary>
    public double HalfWidth95 => (High95 - Low95) / 2;

    /// <summary>Summarises <paramref name="values"/>; refuses an empty sample and non-finite values, naming the position.</summary>
    public static SampleSummary Of(IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0) throw new ArgumentException("cannot summarise an empty sample", nameof(values));
        for (int i = 0; i < values.Count; i++)
            if (!double.IsFinite(values[i]))
                throw new ArgumentException($"value {i} of the sample is {values[i]}", nameof(values));
        int n = values.Count;
        double mean = values.Average();
        if (n == 1) return new SampleSummary(1, mean, double.NaN, double.NaN, double.NaN);
        double sd = Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (n - 1));
        double half = StudentT.InvCDF(0, 1, n - 1, 0.975) * sd / Math.Sqrt(n);
        return new SampleSummary(n, mean, sd, mean - half, mean + half);
    }
}
