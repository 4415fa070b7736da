namespace InitLab.Reports;

/// <summary>
/// One named line of a chart: points (X[i], Y[i]). Non-finite Y values (a diverged loss, say) are drawn
/// as gaps rather than rejected, so a failed run can still be reported.
/// </summary>
/// <param name="Name">Legend entry.</param>
/// <param name="X">Abscissae; must be finite and as long as <paramref name="Y"/>.</param>
/// <param name="Y">Ordinates.</param>
public sealed record Series(string Name, double[] X, double[] Y)
{
    /// <summary>Series whose X is 0, 1, …, Y.Length − 1 (e.g. loss per step).</summary>
    public static Series OfValues(string name, double[] y)
    {
        ArgumentNullException.ThrowIfNull(y);
        var x = new double[y.Length];
        for (var i = 0; i < x.Length; i++) x[i] = i;
        return new Series(name, x, y);
    }

    /// <summary>Throws an <see cref="ArgumentException"/> naming the series when it cannot be drawn.</summary>
    internal void Validate(string paramName)
    {
        if (X is null || Y is null)
            throw new ArgumentException($"Series '{Name}': X and Y must not be null.", paramName);
        if (X.Length != Y.Length)
            throw new ArgumentException(
                $"Series '{Name}': X has {X.Length} values but Y has {Y.Length}; they must be equally long.", paramName);
        for (var i = 0; i < X.Length; i++)
            if (!double.IsFinite(X[i]))
                throw new ArgumentException($"Series '{Name}': X[{i}] = {X[i]} is not finite.", paramName);
    }
}
