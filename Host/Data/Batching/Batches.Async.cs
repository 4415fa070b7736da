using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace InitLab.Data;

public static partial class Batches
{
    /// <summary>
    /// The batches of epoch <paramref name="epoch"/> as an async stream, the same batches in the same order
    /// as <see cref="Epoch"/>: a background task prepares up to <see cref="BatchOptions.Prefetch"/> (at least 1)
    /// ahead while the consumer awaits, so a UI or server thread is never blocked. Every batch has its own
    /// arrays (<see cref="BatchOptions.ReuseBuffers"/> does not apply: an async consumer may hold a batch
    /// across awaits). Cancelling or leaving the loop early stops the producer.
    /// </summary>
    /// <exception cref="ArgumentException">Batch size not positive or prefetch negative (thrown at the call, not at the first await).</exception>
    /// <exception cref="InvalidOperationException">Preparing a batch failed; the inner exception says why.</exception>
    public static IAsyncEnumerable<Batch> EpochAsync(DataSet data, BatchOptions options, int epoch, CancellationToken cancellationToken = default)
    {
        Validate(data, options);
        return Stream(data, options, epoch, cancellationToken);
    }

    private static async IAsyncEnumerable<Batch> Stream(DataSet data, BatchOptions options, int epoch,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var channel = Channel.CreateBounded<Batch>(new BoundedChannelOptions(Math.Max(1, options.Prefetch))
        {
            SingleReader = true,
            SingleWriter = true,
        });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var producer = Task.Run(async () =>
        {
            try
            {
                foreach (var b in Produce(data, options, epoch, null))
                    await channel.Writer.WriteAsync(b, stop.Token).ConfigureAwait(false);
                channel.Writer.TryComplete();
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                channel.Writer.TryComplete();
            }
            catch (Exception e)
            {
                channel.Writer.TryComplete(new InvalidOperationException($"batch preparation for {data.Name} failed: {e.Message}", e));
            }
        }, CancellationToken.None);
        try
        {
            await foreach (var b in channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                // batches already queued would otherwise still be handed out after cancellation
                cancellationToken.ThrowIfCancellationRequested();
                yield return b;
            }
        }
        finally
        {
            stop.Cancel();
            await producer.ConfigureAwait(false); // it catches everything itself: this only waits for it to end
        }
    }
}
