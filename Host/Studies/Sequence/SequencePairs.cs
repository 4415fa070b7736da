using InitLab.Data;

namespace InitLab.Studies.Sequence;

/// <summary>One part of the sequence task with the digits shown in each pair (model-1 trains its CNNs on them).</summary>
/// <param name="Pairs">2-channel pair images labelled c = 2b − a + 9.</param>
/// <param name="First">Digit a of each pair (channel 0).</param>
/// <param name="Second">Digit b of each pair (channel 1).</param>
public sealed record SequencePart(DataSet Pairs, int[] First, int[] Second)
{
    /// <summary>Number of pairs.</summary>
    public int Count => Pairs.Count;
}

/// <summary>The three parts of <see cref="SequenceTask"/> with their digit labels.</summary>
public sealed record SequencePairs(SequencePart Train, SequencePart Validation, SequencePart Test)
{
    /// <summary>Builds the parts as <see cref="SequenceTask.Build"/> does and recovers each pair's digits from MNIST's labels.</summary>
    /// <exception cref="InvalidDataException">A recovered (a, b) does not give the pair's stored label c.</exception>
    public static SequencePairs Build(TrainTestSplit mnist, int trainCount = 42_000, int validationCount = 18_000)
    {
        var splits = SequenceTask.Build(mnist, trainCount, validationCount);
        var labels = mnist.Train.Labels.Concat(mnist.Test.Labels).ToArray();
        SequencePart Part(DataSet pairs, int start, int n)
        {
            var (first, second) = SequenceTask.PairIndices(n);
            var a = first.Select(i => labels[start + i]).ToArray();
            var b = second.Select(i => labels[start + i]).ToArray();
            for (int k = 0; k < a.Length; k++)
                if (SequenceTask.Label(a[k], b[k]) != pairs.Labels[k])
                    throw new InvalidDataException($"{pairs.Name}: pair {k} shows digits ({a[k]}, {b[k]}) but is labelled {pairs.Labels[k]}");
            return new SequencePart(pairs, a, b);
        }
        int testStart = trainCount + validationCount;
        return new SequencePairs(
            Part(splits.Train, 0, trainCount),
            Part(splits.Validation, trainCount, validationCount),
            Part(splits.Test, testStart, labels.Length - testStart));
    }
}
