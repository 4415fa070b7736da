namespace InitLab.Statistics;

/// <summary>
/// The outcome of a two-sided t-test, laid out as R's <c>t.test</c> prints it.
/// </summary>
/// <param name="T">The t statistic (sign: first sample minus second).</param>
/// <param name="DegreesOfFreedom">Degrees of freedom (fractional for Welch's test).</param>
/// <param name="PValue">Two-sided p-value, 2·P(T ≥ |t|).</param>
/// <param name="MeanDifference">Estimated difference of means (first − second), or the mean of the paired differences.</param>
/// <param name="Low95">Lower end of the 95 % interval of the difference.</param>
/// <param name="High95">Upper end of the 95 % interval of the difference.</param>
public sealed record TTestResult(double T, double DegreesOfFreedom, double PValue, double MeanDifference, double Low95, double High95)
{
    /// <summary>Whether the difference is significant at level <paramref name="alpha"/> (p &lt; α).</summary>
    public bool IsSignificant(double alpha = 0.05) => PValue < alpha;
}
