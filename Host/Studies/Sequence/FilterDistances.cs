namespace InitLab.Studies.Sequence;

/// <summary>
/// Paper 003's filter comparison: E_ij = ‖F_i − G_j‖₂ between the first-layer filters F of one CNN and
/// G of another, and S_i = min_j E_ij, the distance from filter i to its closest counterpart (many i may
/// share one j: S is not a one-to-one matching).
/// </summary>
public static class FilterDistances
{
    /// <summary>The matrix E[i, j] = ‖F_i − G_j‖₂.</summary>
    /// <exception cref="ArgumentException">The sets are empty or filters differ in size.</exception>
    public static double[,] Matrix(IReadOnlyList<double[]> f, IReadOnlyList<double[]> g)
    {
        ArgumentNullException.ThrowIfNull(f);
        ArgumentNullException.ThrowIfNull(g);
        if (f.Count == 0 || g.Count == 0) throw new ArgumentException($"filter sets must not be empty ({f.Count} and {g.Count} filters)");
        var e = new double[f.Count, g.Count];
        for (int i = 0; i < f.Count; i++)
            for (int j = 0; j < g.Count; j++)
            {
                if (f[i].Length != g[j].Length)
                    throw new ArgumentException($"filter {i} has {f[i].Length} values but filter {j} of the other set has {g[j].Length}");
                double s = 0;
                for (int k = 0; k < f[i].Length; k++) { double d = f[i][k] - g[j][k]; s += d * d; }
                e[i, j] = Math.Sqrt(s);
            }
        return e;
    }

    /// <summary>S_i = min_j E[i, j] (row minima).</summary>
    public static double[] Closest(double[,] e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var s = new double[e.GetLength(0)];
        for (int i = 0; i < s.Length; i++)
        {
            s[i] = double.PositiveInfinity;
            for (int j = 0; j < e.GetLength(1); j++) s[i] = Math.Min(s[i], e[i, j]);
        }
        return s;
    }

    /// <summary>The transpose: E from the other side (G_j against every F_i).</summary>
    public static double[,] Transpose(double[,] e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var t = new double[e.GetLength(1), e.GetLength(0)];
        for (int i = 0; i < e.GetLength(0); i++)
            for (int j = 0; j < e.GetLength(1); j++) t[j, i] = e[i, j];
        return t;
    }
}
