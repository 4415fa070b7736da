namespace InitLab.Training;

/// <summary>
/// When a finite loss counts as diverged: iteration t's loss L_t is above
/// <see cref="Factor"/> × max(<see cref="Floor"/>, m*), where m* is the lowest running mean of
/// <see cref="Window"/> consecutive losses seen before t in this process (the mean of all of them while
/// fewer than a window). The first iteration only sets m*. With the defaults (100, 1, 10) a cross-entropy
/// run stops once a batch loss passes 100 (chance level on 10 classes is ln 10 ≈ 2.3), and a run whose
/// loss had fallen to 0.5 once its loss passes 100 again; ordinary noise never comes near.
/// </summary>
public sealed record DivergenceRule
{
    /// <summary>How many times the reference the loss may reach.</summary>
    public double Factor { get; init; } = 100;

    /// <summary>Least reference: keeps the bound from collapsing as the loss approaches 0.</summary>
    public double Floor { get; init; } = 1;

    /// <summary>Losses per running mean.</summary>
    public int Window { get; init; } = 10;

    /// <summary>The rule every run uses unless told otherwise.</summary>
    public static DivergenceRule Default { get; } = new();

    /// <summary>Throws <see cref="ArgumentException"/> naming the first impossible value.</summary>
    public void Validate()
    {
        if (!(double.IsFinite(Factor) && Factor > 1)) throw new ArgumentException($"divergence factor must be finite and > 1, got {Factor}", nameof(Factor));
        if (!(double.IsFinite(Floor) && Floor > 0)) throw new ArgumentException($"divergence floor must be finite and > 0, got {Floor}", nameof(Floor));
        if (Window < 1) throw new ArgumentException($"divergence window must be ≥ 1, got {Window}", nameof(Window));
    }

    /// <summary>The rule stated with its values, as error messages quote it.</summary>
    public override string ToString() => $"loss > {Factor:G4} × max({Floor:G4}, lowest running mean of {Window} losses)";

    /// <summary>Follows the losses of one run and says when one breaks the rule.</summary>
    internal sealed class Tracker(DivergenceRule rule)
    {
        readonly Queue<double> window = new();
        double sum, lowest = double.PositiveInfinity;

        /// <summary>The bound <paramref name="loss"/> broke, or null when it is within; a good loss joins the running mean.</summary>
        public double? Check(double loss)
        {
            if (!double.IsFinite(loss)) return double.NaN;
            double? broken = null;
            if (double.IsFinite(lowest))
            {
                double bound = rule.Factor * Math.Max(rule.Floor, lowest);
                if (loss > bound) broken = bound;
            }
            if (broken is null) Add(loss);
            return broken;
        }

        /// <summary>Whether <paramref name="loss"/> would break the rule, without recording it.</summary>
        public double? Peek(double loss) =>
            !double.IsFinite(loss) ? double.NaN
            : double.IsFinite(lowest) && loss > rule.Factor * Math.Max(rule.Floor, lowest) ? rule.Factor * Math.Max(rule.Floor, lowest)
            : null;

        void Add(double loss)
        {
            window.Enqueue(loss);
            sum += loss;
            if (window.Count > rule.Window) sum -= window.Dequeue();
            lowest = Math.Min(lowest, sum / window.Count);
        }
    }
}
