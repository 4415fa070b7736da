using System.Collections.Concurrent;

namespace InitLab.Data;

/// <summary>
/// Cuts a <see cref="DataSet"/> into mini-batches: a seeded shuffle per epoch, conversion to float,
/// and optional prefetching on a background thread through a bounded queue.
/// </summary>
public static partial class Batches
{
    /// <summary>The image order of one epoch: a permutation fixed by (seed, epoch), or 0..n-1 without shuffling.</summary>
    public static int[] Order(int count, BatchOptions options, int epoch)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!options.Shuffle) return Enumerable.Range(0, count).ToArray();
        return new SeededRandom(options.Seed, epoch).Permutation(count);
    }

    /// <summary>Number of batches in one epoch.</summary>
    public static int CountPerEpoch(int count, BatchOptions options) =>
        options.DropLast ? count / options.BatchSize : (count + options.BatchSize - 1) / options.BatchSize;

    /// <summary>The batches of epoch <paramref name="epoch"/>, lazily; disposing the enumerator early stops the prefetch thread.</summary>
    /// <exception cref="ArgumentException">Batch size not positive or prefetch negative.</exception>
    public static IEnumerable<Batch> Epoch(DataSet data, BatchOptions options, int epoch)
    {
        Validate(data, options);
        return options.Prefetch == 0 ? Produce(data, options, epoch, null) : Prefetched(data, options, epoch);
    }

    private static void Validate(DataSet data, BatchOptions options)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(options);
        if (options.BatchSize <= 0) throw new ArgumentException($"batch size must be positive, got {options.BatchSize}", nameof(options));
        if (options.Prefetch < 0) throw new ArgumentException($"prefetch must be non-negative, got {options.Prefetch}", nameof(options));
    }

    /// <summary>Epochs <paramref name="firstEpoch"/>, firstEpoch+1, … for <paramref name="epochs"/> epochs, back to back.</summary>
    public static IEnumerable<Batch> Epochs(DataSet data, BatchOptions options, int epochs, int firstEpoch = 0)
    {
        for (int e = firstEpoch; e < firstEpoch + epochs; e++)
            foreach (var b in Epoch(data, options, e))
                yield return b;
    }

    /// <summary>Recycles arrays of batches the consumer has finished with (only when buffers are reused).</summary>
    private sealed class Pool(int size, int channels, int height, int width)
    {
        private readonly ConcurrentBag<Batch> _free = new();

        public Batch Rent(int count, int epoch, int number)
        {
            int imageSize = channels * height * width;
            if (count == size && _free.TryTake(out var b))
            {
                b.Epoch = epoch;
                b.Number = number;
                return b;
            }
            return new Batch(new float[count * imageSize], new int[count], new int[count], count, channels, height, width, epoch, number);
        }

        public void Return(Batch b)
        {
            if (b.Count == size) _free.Add(b);
        }
    }

    private static IEnumerable<Batch> Produce(DataSet data, BatchOptions options, int epoch, Pool? pool)
    {
        var order = Order(data.Count, options, epoch);
        int n = CountPerEpoch(data.Count, options), size = data.ImageSize;
        for (int k = 0; k < n; k++)
        {
            int start = k * options.BatchSize, count = Math.Min(options.BatchSize, data.Count - start);
            var batch = pool is not null
                ? pool.Rent(count, epoch, k)
                : new Batch(new float[count * size], new int[count], new int[count], count, data.Channels, data.Height, data.Width, epoch, k);
            for (int j = 0; j < count; j++)
            {
                int i = order[start + j];
                batch.Indices[j] = i;
                batch.Labels[j] = data.Labels[i];
                PixelTransforms.ToFloat(data.Pixels.AsSpan(i * size, size), batch.Images.AsSpan(j * size, size), options.Scale);
            }
            yield return batch;
        }
    }

    private static IEnumerable<Batch> Prefetched(DataSet data, BatchOptions options, int epoch)
    {
        var pool = options.ReuseBuffers ? new Pool(options.BatchSize, data.Channels, data.Height, data.Width) : null;
        using var queue = new BlockingCollection<Batch>(options.Prefetch);
        using var stop = new CancellationTokenSource();
        Exception? failure = null;
        var producer = new Thread(() =>
        {
            try
            {
                foreach (var b in Produce(data, options, epoch, pool)) queue.Add(b, stop.Token);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested) { }
            catch (Exception e) { failure = e; }
            finally { queue.CompleteAdding(); }
        }) { IsBackground = true, Name = $"batch-prefetch-{data.Name}-e{epoch}" };
        producer.Start();
        Batch? previous = null;
        try
        {
            foreach (var b in queue.GetConsumingEnumerable())
            {
                // The consumer has moved past the previous batch: its arrays may now be recycled.
                if (previous is not null) pool?.Return(previous);
                previous = b;
                yield return b;
            }
            if (failure is not null) throw new InvalidOperationException($"batch preparation for {data.Name} failed: {failure.Message}", failure);
        }
        finally
        {
            stop.Cancel();
            producer.Join();
        }
    }
}
