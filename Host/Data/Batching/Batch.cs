namespace InitLab.Data;

/// <summary>
/// One mini-batch: <see cref="Count"/> images as floats N×C×H×W row-major, their labels, and the
/// indices they came from in the source set.
/// </summary>
/// <remarks>With <see cref="BatchOptions.ReuseBuffers"/> the arrays are valid only until the enumerator moves on.</remarks>
public sealed class Batch
{
    internal Batch(float[] images, int[] labels, int[] indices, int count, int channels, int height, int width, int epoch, int number)
    {
        Images = images;
        Labels = labels;
        Indices = indices;
        Count = count;
        Channels = channels;
        Height = height;
        Width = width;
        Epoch = epoch;
        Number = number;
    }

    /// <summary>Pixels as floats, N×C×H×W; exactly Count × C × H × W long.</summary>
    public float[] Images { get; internal set; }

    /// <summary>Label of each image.</summary>
    public int[] Labels { get; internal set; }

    /// <summary>Index of each image in the source <see cref="DataSet"/>.</summary>
    public int[] Indices { get; internal set; }

    /// <summary>Number of images (the last batch of an epoch may be smaller).</summary>
    public int Count { get; internal set; }

    /// <summary>Channels per image.</summary>
    public int Channels { get; }

    /// <summary>Image height.</summary>
    public int Height { get; }

    /// <summary>Image width.</summary>
    public int Width { get; }

    /// <summary>The epoch this batch belongs to.</summary>
    public int Epoch { get; internal set; }

    /// <summary>Position of this batch within its epoch, from 0.</summary>
    public int Number { get; internal set; }

    /// <summary>The tensor shape [N, C, H, W].</summary>
    public int[] Shape => [Count, Channels, Height, Width];
}
