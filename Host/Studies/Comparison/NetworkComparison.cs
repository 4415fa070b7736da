using System.Diagnostics;
using System.Globalization;
using InitLab.Data;
using InitLab.Kernel;
using InitLab.Kernel.Compare;
using InitLab.Kernel.Nn;
using InitLab.Training;

namespace InitLab.Studies.Comparison;

/// <summary>
/// Compares trained networks beyond position-wise weight sums (issue 12): the distance again after
/// aligning hidden units (weight matching), CKA between layer outputs on a probe set, and the loss
/// barrier on the straight path between two models before and after alignment.
/// </summary>
public static class NetworkComparison
{
    /// <summary>
    /// Compares every pair within <paramref name="first"/>, every pair within <paramref name="second"/>,
    /// and model k of one against model k of the other (same initial weights), all of one architecture.
    /// CKA runs on the first <see cref="ComparisonOptions.ProbeCount"/> images of <paramref name="probe"/>.
    /// </summary>
    /// <exception cref="ArgumentException">Empty groups, architectures that differ, or too few probe images.</exception>
    public static NetworkComparisonResult Compare(ModelGroup first, ModelGroup second, DataSet probe, ComparisonOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        ArgumentNullException.ThrowIfNull(probe);
        options ??= new ComparisonOptions();
        options.Validate();
        foreach (var g in new[] { first, second })
        {
            if (g.Models is null || g.Models.Count == 0) throw new ArgumentException($"model group '{g.Name}' holds no models", nameof(first));
            if (g.Evaluation is null || g.Evaluation.Count == 0) throw new ArgumentException($"model group '{g.Name}' has no evaluation images", nameof(first));
        }
        if (first.Name == second.Name) throw new ArgumentException($"both model groups are named '{first.Name}'", nameof(second));
        if (probe.Count < options.ProbeCount)
            throw new ArgumentException($"probe set '{probe.Name}' has {probe.Count} images; the options ask for {options.ProbeCount}", nameof(probe));
        var clock = Stopwatch.StartNew();

        var reference = first.Models[0];
        var probeImages = Images(probe, options.ProbeCount, options.Scale);
        var flattens = new HashSet<string>();
        foreach (var (name, layer) in Leaves.ofModel(reference))
            if (layer is Flatten) flattens.Add(name);
        var layers = new List<string>();
        foreach (var (name, _) in LayerOutputs.ofModel(reference, probeImages))
            if (!flattens.Contains(name)) layers.Add(name);
        // One Gram matrix per model and layer, reused by every pair the model is in.
        var grams = new Dictionary<Module, (ProbeGram[] Biased, ProbeGram[] Debiased)>(ReferenceEqualityComparer.Instance);
        (ProbeGram[] Biased, ProbeGram[] Debiased) GramsOf(Module m)
        {
            if (grams.TryGetValue(m, out var cached)) return cached;
            List<ProbeGram> biased = [], debiased = [];
            foreach (var (name, output) in LayerOutputs.ofModel(m, probeImages))
            {
                if (flattens.Contains(name)) continue;
                var (b, d) = Cka.gramBoth(name, output);
                biased.Add(b);
                debiased.Add(d);
            }
            var result = (biased.ToArray(), debiased.ToArray());
            grams[m] = result;
            return result;
        }

        var alphas = Interpolation.alphas(options.InterpolationPoints);
        var firstEval = (first.Evaluation.Name, Scorer(first.Evaluation, options));
        var secondEval = (second.Evaluation.Name, Scorer(second.Evaluation, options));

        PairComparison ComparePair(ModelGroup ga, int ia, ModelGroup gb, int ib, params (string Name, Func<Module, LossAccuracy> Score)[] sets)
        {
            Module a = ga.Models[ia], b = gb.Models[ib];
            var aligned = NetworkAlignment.Align(a, b, options.AlignmentSeed);
            var pa = a.SaveParameters();
            double before = WeightDistance.SumAbsoluteDifference(pa, b.SaveParameters());
            double after = WeightDistance.SumAbsoluteDifference(pa, aligned.Aligned.SaveParameters());
            int moved = aligned.Permutations.Values.Sum(p => p.Where((v, i) => v != i).Count());
            int units = aligned.Permutations.Values.Sum(p => p.Length);
            var (ba, da) = GramsOf(a);
            var (bb, db) = GramsOf(b);
            var cka = ba.Zip(bb, Cka.ofGrams).ToList();
            var ckaDebiased = da.Zip(db, Cka.ofGrams).ToList();
            var paths = sets.Select(s =>
            {
                var p0 = InterpolationPath.Between(a, b, alphas, s.Score);
                var p1 = InterpolationPath.Between(a, aligned.Aligned, alphas, s.Score);
                return new PathComparison(s.Name, Points(p0), p0.Barrier, Points(p1), p1.Barrier);
            }).ToList();
            return new PairComparison(ga.ModelNames[ia], gb.ModelNames[ib], ga == gb ? ga.Name : null, ia + 1, ib + 1,
                before, after, moved, units, cka, ckaDebiased, paths);
        }

        var pairs = new List<PairComparison>();
        foreach (var (g, eval) in new[] { (first, firstEval), (second, secondEval) })
            for (int i = 0; i < g.Models.Count; i++)
                for (int j = i + 1; j < g.Models.Count; j++)
                    pairs.Add(ComparePair(g, i, g, j, eval));
        for (int k = 0; k < Math.Min(first.Models.Count, second.Models.Count); k++)
            pairs.Add(ComparePair(first, k, second, k, firstEval, secondEval));

        double[,] Matrix(Module a, Module b)
        {
            var (x, _) = GramsOf(a);
            var (y, _) = GramsOf(b);
            var m = new double[x.Length, y.Length];
            for (int i = 0; i < x.Length; i++)
                for (int j = 0; j < y.Length; j++)
                    m[i, j] = Cka.ofGrams(x[i], y[j]);
            return m;
        }
        var different = first.Models.Count > 1 ? Matrix(first.Models[0], first.Models[1]) : null;
        var same = Matrix(first.Models[0], second.Models[0]);
        return new NetworkComparisonResult(first.Name, second.Name, layers, pairs, different, same, probe.Name,
            options.ProbeCount, clock.Elapsed.TotalSeconds, Conclude(first.Name, second.Name, layers, pairs));
    }

    static Tensor Images(DataSet data, int count, PixelScale scale)
    {
        var subset = count == data.Count ? data : data.Subset(Enumerable.Range(0, count).ToArray());
        return Tensor.Wrap(subset.ToFloats(scale), [count, data.Channels, data.Height, data.Width]);
    }

    /// <summary>The Host's evaluator (batched, recording off) on the first images of <paramref name="data"/>, as the Kernel's path expects it.</summary>
    static Func<Module, LossAccuracy> Scorer(DataSet data, ComparisonOptions options)
    {
        int n = Math.Min(options.EvaluationLimit, data.Count);
        var subset = n == data.Count ? data : data.Subset(Enumerable.Range(0, n).ToArray(), data.Name);
        return m =>
        {
            var e = Evaluator.Evaluate(m, subset, options.Scale);
            return new LossAccuracy(e.Loss, e.Accuracy);
        };
    }

    static List<PathPoint> Points(InterpolationPath path) =>
        path.Points.Select(p => new PathPoint(p.Alpha, p.Loss, p.Accuracy)).ToList();

    static string Conclude(string firstName, string secondName, IReadOnlyList<string> layers, List<PairComparison> pairs)
    {
        var ci = CultureInfo.InvariantCulture;
        var diff = pairs.Where(p => !p.SameInitialWeights).ToList();
        var same = pairs.Where(p => p.SameInitialWeights).ToList();
        if (diff.Count == 0 || same.Count == 0)
            return "Too few models to set different-initialisation pairs against same-initialisation pairs.";
        double ratioBefore = diff.Average(p => p.DistanceBefore) / same.Average(p => p.DistanceBefore);
        double ratioAfter = diff.Average(p => p.DistanceAfter) / same.Average(p => p.DistanceAfter);
        double shareDiff = diff.Average(p => p.PermutationShare), shareSame = same.Average(p => p.PermutationShare);
        var text = new List<string>
        {
            string.Format(ci, "Reordering hidden units removes {0:P0} of the position-wise distance between models from different initial weights, "
                + "and {1:P0} between models from the same initial weights: that much of Table 2 is only the arbitrary order of units, "
                + "which changes nothing the network computes.", shareDiff, shareSame),
            string.Format(ci, "The ratio of mean distances (different init / same init) is {0:F2} position by position and {1:F2} after alignment; ", ratioBefore, ratioAfter)
            + (ratioAfter > 1.2
                ? "even with the permutation taken out, different initial weights leave the networks farther apart than different training data do, so the paper's finding survives alignment."
                : ratioAfter < 0.83
                    ? "with the permutation taken out, different training data move the weights more than different initial weights do, so the paper's ordering does not survive alignment."
                    : "with the permutation taken out, the two kinds of pair are about equally far apart, so the paper's ordering rests largely on unit order."),
        };
        for (int l = 0; l < layers.Count; l++)
            if (l == 0 || l == layers.Count - 1)
                text.Add(string.Format(ci, "CKA at layer '{0}': {1:F3} between different-initialisation models, {2:F3} between same-initialisation models ({3} vs {4}).",
                    layers[l], diff.Average(p => p.LayerCka[l]), same.Average(p => p.LayerCka[l]), firstName, secondName));
        double barrier(IEnumerable<PairComparison> ps, bool after) =>
            ps.SelectMany(p => p.Paths).Select(p => after ? p.BarrierAfter : p.BarrierBefore).DefaultIfEmpty(double.NaN).Average();
        text.Add(string.Format(ci, "On the straight line between two models the loss rises above the endpoints' mean by {0:F3} for different-initialisation pairs "
            + "({1:F3} after alignment) and by {2:F3} for same-initialisation pairs ({3:F3} after alignment); ",
            barrier(diff, false), barrier(diff, true), barrier(same, false), barrier(same, true))
            + (barrier(same, false) < barrier(diff, false)
                ? "models grown from one initialisation stay closer to one basin than models grown from different ones"
                : "one initialisation does not keep the models in a shared basin more than different initialisations do")
            + (barrier(diff, true) < barrier(diff, false) ? ", and alignment lowers the barrier between different initialisations." : "; alignment does not lower it."));
        return string.Join(" ", text);
    }
}
