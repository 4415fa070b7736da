using InitLab.Data;
using InitLab.Kernel;

namespace InitLab.Studies.Sequence;

/// <summary>
/// Batches of a pair data set as float tensors scaled to [0, 1]: both images [n; 2; H; W] or one of
/// them [n; 1; H; W]. One buffer per batch length is reused, so a tensor is valid until the next call
/// with as many indices (a training step or a prediction batch finishes before that).
/// </summary>
public sealed class PairImages(DataSet pairs)
{
    readonly Dictionary<int, float[]> _buffers = [];

    /// <summary>The data set the images come from.</summary>
    public DataSet Pairs { get; } = pairs ?? throw new ArgumentNullException(nameof(pairs));

    /// <summary>Images of examples <paramref name="indices"/>: channel <paramref name="channel"/> alone, or all channels when null.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A channel or index outside the data set.</exception>
    public Tensor Batch(int[] indices, int? channel = null)
    {
        ArgumentNullException.ThrowIfNull(indices);
        var d = Pairs;
        if (channel is { } c && (uint)c >= (uint)d.Channels)
            throw new ArgumentOutOfRangeException(nameof(channel), c, $"{d.Name} has {d.Channels} channels");
        int plane = d.Height * d.Width, channels = channel is null ? d.Channels : 1;
        int per = channels * plane, length = indices.Length * per;
        if (!_buffers.TryGetValue(length, out var buffer)) _buffers[length] = buffer = new float[length];
        for (int k = 0; k < indices.Length; k++)
        {
            int i = indices[k];
            if ((uint)i >= (uint)d.Count) throw new ArgumentOutOfRangeException(nameof(indices), i, $"{d.Name} has {d.Count} examples");
            var image = d.Image(i);
            if (channel is { } only) image = image.Slice(only * plane, plane);
            for (int p = 0; p < per; p++) buffer[k * per + p] = image[p] * (1f / 255f);
        }
        return Tensor.Wrap(buffer, [indices.Length, channels, d.Height, d.Width]);
    }
}
