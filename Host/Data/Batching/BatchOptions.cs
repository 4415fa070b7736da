namespace InitLab.Data;

/// <summary>How <see cref="Batches"/> cuts an epoch into mini-batches.</summary>
/// <param name="BatchSize">Images per batch (the last may be smaller unless <see cref="DropLast"/>).</param>
public sealed record BatchOptions(int BatchSize)
{
    /// <summary>Seed of the per-epoch shuffle; the order of epoch e depends only on (Seed, e).</summary>
    public int Seed { get; init; }

    /// <summary>Shuffle each epoch (default); when false, batches follow the set's order.</summary>
    public bool Shuffle { get; init; } = true;

    /// <summary>Drop a final batch smaller than <see cref="BatchSize"/>.</summary>
    public bool DropLast { get; init; }

    /// <summary>Byte → float scale.</summary>
    public PixelScale Scale { get; init; } = PixelScale.Unit255;

    /// <summary>Batches prepared ahead on a background thread (bounded queue); 0 prepares them on the caller's thread.</summary>
    public int Prefetch { get; init; } = 2;

    /// <summary>
    /// Recycle batch arrays: a batch's arrays are then valid only until the enumerator moves to the next batch.
    /// Saves allocation in long runs; off by default because holding on to a batch is then a bug.
    /// </summary>
    public bool ReuseBuffers { get; init; }
}
