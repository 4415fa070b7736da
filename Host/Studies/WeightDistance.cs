using InitLab.Kernel;

namespace InitLab.Studies;

/// <summary>
/// Paper 000's measure of how far apart two trained networks are: the sum over every weight (and
/// bias) of the absolute difference between the two models at the same position.
/// </summary>
public static class WeightDistance
{
    /// <summary>Σ |a − b| over all parameters; both sets must have the same names and shapes.</summary>
    public static double SumAbsoluteDifference(IReadOnlyList<StateBuffer> a, IReadOnlyList<StateBuffer> b) =>
        PerParameter(a, b).Sum(d => d.Distance);

    /// <summary>Σ |a − b| of each parameter tensor, by name, in order (where two models differ).</summary>
    public static IReadOnlyList<(string Name, long Count, double Distance)> PerParameter(IReadOnlyList<StateBuffer> a, IReadOnlyList<StateBuffer> b)
    {
        if (a.Count != b.Count)
            throw new ArgumentException($"parameter sets differ in size: {a.Count} vs {b.Count}");
        var result = new List<(string, long, double)>(a.Count);
        for (int i = 0; i < a.Count; i++)
        {
            var (x, y) = (a[i], b[i]);
            if (x.Name != y.Name || !x.Shape.AsSpan().SequenceEqual(y.Shape))
                throw new ArgumentException($"parameter {i} differs: {x} vs {y}");
            double d = (x.Data, y.Data) switch
            {
                (float[] p, float[] q) => Sum(p, q),
                (double[] p, double[] q) => Sum(p, q),
                _ => throw new ArgumentException($"parameter '{x.Name}': unsupported or mixed element types {x.Data?.GetType().Name}/{y.Data?.GetType().Name}"),
            };
            result.Add((x.Name, x.ElementCount, d));
        }
        return result;
    }

    static double Sum(float[] p, float[] q)
    {
        double s = 0;
        for (int i = 0; i < p.Length; i++) s += Math.Abs((double)p[i] - q[i]);
        return s;
    }

    static double Sum(double[] p, double[] q)
    {
        double s = 0;
        for (int i = 0; i < p.Length; i++) s += Math.Abs(p[i] - q[i]);
        return s;
    }

    /// <summary>The symmetric matrix of distances between every pair of models.</summary>
    public static double[,] Matrix(IReadOnlyList<IReadOnlyList<StateBuffer>> models)
    {
        int n = models.Count;
        var m = new double[n, n];
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++)
                m[i, j] = m[j, i] = SumAbsoluteDifference(models[i], models[j]);
        return m;
    }
}
