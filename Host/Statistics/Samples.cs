namespace InitLab.Statistics;

/// <summary>Checks and moments shared by the summaries and the tests (one place for the n − 1 variance).</summary>
internal static class Samples
{
    /// <summary>Refuses fewer than <paramref name="minCount"/> values and any NaN or infinity, naming the argument and position.</summary>
    public static void RequireFinite(IReadOnlyList<double> values, string name, int minCount)
    {
        if (values.Count < minCount)
            throw new ArgumentException($"{name}: needs at least {minCount} value(s), got {values.Count}", name);
        for (int i = 0; i < values.Count; i++)
            if (!double.IsFinite(values[i]))
                throw new ArgumentException($"{name}[{i}] is {values[i]}; every value must be finite", name);
    }

    public static double Mean(IReadOnlyList<double> values)
    {
        double s = 0;
        for (int i = 0; i < values.Count; i++) s += values[i];
        return s / values.Count;
    }

    /// <summary>Sample variance with the n − 1 denominator, two-pass about the given mean.</summary>
    public static double Variance(IReadOnlyList<double> values, double mean)
    {
        double s = 0;
        for (int i = 0; i < values.Count; i++) { double d = values[i] - mean; s += d * d; }
        return s / (values.Count - 1);
    }
}
