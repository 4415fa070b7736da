using MathNet.Numerics.Distributions;

namespace InitLab.Statistics;

/// <summary>
/// Two-sided t-tests built on MathNet's Student-t distribution (MathNet has the distribution, not the tests).
/// Welch's test is the paper-001 comparison of two arms; the paired test uses that both arms share seeds.
/// </summary>
public static class TTest
{
    /// <summary>
    /// Welch's unequal-variance t-test of mean(a) − mean(b), with the Welch–Satterthwaite degrees of freedom
    /// (R's <c>t.test(a, b)</c>). Each sample needs two finite values; two constant samples with equal means
    /// give t = 0 and p = 1, with different means t = ±∞ and p = 0.
    /// </summary>
    public static TTestResult Welch(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        Samples.RequireFinite(a, nameof(a), minCount: 2);
        Samples.RequireFinite(b, nameof(b), minCount: 2);
        double ma = Samples.Mean(a), mb = Samples.Mean(b);
        double qa = Samples.Variance(a, ma) / a.Count, qb = Samples.Variance(b, mb) / b.Count;
        double se = Math.Sqrt(qa + qb);
        double df = (qa + qb) * (qa + qb) / (qa * qa / (a.Count - 1) + qb * qb / (b.Count - 1));
        return FromStatistic(ma - mb, se, df);
    }

    /// <summary>
    /// The paired t-test of the differences a[i] − b[i] against zero (R's <c>t.test(a, b, paired = TRUE)</c>).
    /// The two lists must have the same length (at least two pairs).
    /// </summary>
    public static TTestResult Paired(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Count != b.Count)
            throw new ArgumentException($"paired samples differ in length: a has {a.Count}, b has {b.Count}", nameof(b));
        Samples.RequireFinite(a, nameof(a), minCount: 2);
        Samples.RequireFinite(b, nameof(b), minCount: 2);
        var d = new double[a.Count];
        for (int i = 0; i < d.Length; i++) d[i] = a[i] - b[i];
        double md = Samples.Mean(d);
        double se = Math.Sqrt(Samples.Variance(d, md) / d.Length);
        return FromStatistic(md, se, d.Length - 1);
    }

    static TTestResult FromStatistic(double difference, double se, double df)
    {
        if (se == 0)
        {
            // No spread at all: the t statistic is 0/0 or ±∞; decide by the difference alone.
            double t0 = difference == 0 ? 0 : Math.CopySign(double.PositiveInfinity, difference);
            return new TTestResult(t0, double.IsFinite(df) ? df : double.NaN, difference == 0 ? 1 : 0, difference, difference, difference);
        }
        double t = difference / se;
        double p = 2 * StudentT.CDF(0, 1, df, -Math.Abs(t));
        double half = StudentT.InvCDF(0, 1, df, 0.975) * se;
        return new TTestResult(t, df, Math.Min(1, p), difference, difference - half, difference + half);
    }
}
