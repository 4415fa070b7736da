using System.Security.Cryptography;

namespace InitLab.Data;

/// <summary>
/// An in-memory labelled image set: <see cref="Count"/> images of <see cref="Channels"/>×<see cref="Height"/>×<see cref="Width"/>
/// bytes stored N×C×H×W row-major in <see cref="Pixels"/>, one label per image in <see cref="Labels"/>,
/// the class names, and a fingerprint identifying where the data came from.
/// </summary>
/// <remarks>
/// Pixels are kept as bytes (the form every supported source stores them in, 4× smaller than floats);
/// <see cref="ToFloats"/> and the batching code convert to float with a chosen <see cref="PixelScale"/>.
/// The arrays are exposed for speed and must be treated as read-only.
/// </remarks>
public sealed class DataSet
{
    /// <summary>Creates a data set after checking that every array matches the stated shape and labels are in range.</summary>
    /// <exception cref="ArgumentException">A length or a label does not fit the shape or the class list.</exception>
    public DataSet(
        string name,
        byte[] pixels,
        int[] labels,
        int channels,
        int height,
        int width,
        IReadOnlyList<string> classNames,
        string fingerprint,
        int[]? coarseLabels = null,
        IReadOnlyList<string>? coarseClassNames = null)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(classNames);
        if (channels <= 0 || height <= 0 || width <= 0)
            throw new ArgumentException($"{name}: image shape {channels}×{height}×{width} must be positive");
        long imageSize = (long)channels * height * width;
        if (imageSize * labels.Length != pixels.LongLength)
            throw new ArgumentException(
                $"{name}: {pixels.LongLength} pixel bytes do not hold {labels.Length} images of {channels}×{height}×{width}");
        if (classNames.Count == 0) throw new ArgumentException($"{name}: no class names");
        CheckLabels(name, labels, classNames.Count, "label");
        if ((coarseLabels is null) != (coarseClassNames is null))
            throw new ArgumentException($"{name}: coarse labels and coarse class names come together");
        if (coarseLabels is not null)
        {
            if (coarseLabels.Length != labels.Length)
                throw new ArgumentException($"{name}: {coarseLabels.Length} coarse labels for {labels.Length} images");
            CheckLabels(name, coarseLabels, coarseClassNames!.Count, "coarse label");
        }

        Name = name;
        Pixels = pixels;
        Labels = labels;
        Channels = channels;
        Height = height;
        Width = width;
        ClassNames = classNames;
        Fingerprint = fingerprint;
        CoarseLabels = coarseLabels;
        CoarseClassNames = coarseClassNames;
    }

    private static void CheckLabels(string name, int[] labels, int classes, string what)
    {
        for (int i = 0; i < labels.Length; i++)
            if ((uint)labels[i] >= (uint)classes)
                throw new ArgumentException($"{name}: {what} {labels[i]} of image {i} is outside 0..{classes - 1}");
    }

    /// <summary>Human-readable name, e.g. "mnist/train".</summary>
    public string Name { get; }

    /// <summary>Pixel bytes, N×C×H×W row-major. Read-only by convention.</summary>
    public byte[] Pixels { get; }

    /// <summary>Class index of each image, in 0..<see cref="ClassCount"/>-1.</summary>
    public int[] Labels { get; }

    /// <summary>Number of channels (1 for grey, 3 for RGB planes).</summary>
    public int Channels { get; }

    /// <summary>Image height in pixels.</summary>
    public int Height { get; }

    /// <summary>Image width in pixels.</summary>
    public int Width { get; }

    /// <summary>Class names, indexed by label.</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>
    /// Hex SHA-256 identifying the content's origin: for loaded sets, the SHA-256 of the concatenated hex SHA-256s of the
    /// source files' bytes as stored (so it changes with any byte of any file); for derived sets (subsets, transforms,
    /// synthetic), the SHA-256 of the parent's fingerprint and a description of the derivation.
    /// </summary>
    public string Fingerprint { get; }

    /// <summary>Second-level labels (CIFAR-100 superclasses), or null.</summary>
    public int[]? CoarseLabels { get; }

    /// <summary>Names of the coarse classes, or null.</summary>
    public IReadOnlyList<string>? CoarseClassNames { get; }

    /// <summary>Number of images.</summary>
    public int Count => Labels.Length;

    /// <summary>Number of classes.</summary>
    public int ClassCount => ClassNames.Count;

    /// <summary>Bytes per image: C×H×W.</summary>
    public int ImageSize => Channels * Height * Width;

    /// <summary>The pixels of image <paramref name="index"/>.</summary>
    public ReadOnlySpan<byte> Image(int index)
    {
        if ((uint)index >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(index), index, $"{Name} has {Count} images");
        return Pixels.AsSpan(index * ImageSize, ImageSize);
    }

    /// <summary>How many images each class has, indexed by label.</summary>
    public int[] ClassCounts()
    {
        var counts = new int[ClassCount];
        foreach (int l in Labels) counts[l]++;
        return counts;
    }

    /// <summary>All pixels converted to float with the given scale, N×C×H×W.</summary>
    public float[] ToFloats(PixelScale scale)
    {
        // Every element is written below, so the GC need not zero the (large) array first.
        var result = GC.AllocateUninitializedArray<float>(Pixels.Length);
        // Element-wise, so splitting across threads cannot change any value.
        const int chunk = 1 << 20;
        int chunks = (int)((Pixels.LongLength + chunk - 1) / chunk);
        Parallel.For(0, chunks, k =>
        {
            int start = k * chunk, length = (int)Math.Min(chunk, Pixels.LongLength - start);
            PixelTransforms.ToFloat(Pixels.AsSpan(start, length), result.AsSpan(start, length), scale);
        });
        return result;
    }

    /// <summary>A new set holding the images at <paramref name="indices"/>, in that order (repeats allowed).</summary>
    public DataSet Subset(IReadOnlyList<int> indices, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(indices);
        int size = ImageSize;
        var pixels = new byte[(long)indices.Count * size];
        var labels = new int[indices.Count];
        int[]? coarse = CoarseLabels is null ? null : new int[indices.Count];
        var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(System.Text.Encoding.UTF8.GetBytes("subset:" + Fingerprint));
        Span<byte> buf = stackalloc byte[4];
        for (int k = 0; k < indices.Count; k++)
        {
            int i = indices[k];
            if ((uint)i >= (uint)Count)
                throw new ArgumentOutOfRangeException(nameof(indices), i, $"{Name} has {Count} images");
            Pixels.AsSpan(i * size, size).CopyTo(pixels.AsSpan(k * size, size));
            labels[k] = Labels[i];
            if (coarse is not null) coarse[k] = CoarseLabels![i];
            System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(buf, i);
            hash.AppendData(buf);
        }
        return new DataSet(name ?? Name + "/subset", pixels, labels, Channels, Height, Width, ClassNames,
            Convert.ToHexStringLower(hash.GetHashAndReset()), coarse, CoarseClassNames);
    }

    /// <summary>This set followed by <paramref name="other"/>; shapes and class names must match.</summary>
    public DataSet Concat(DataSet other, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.Channels != Channels || other.Height != Height || other.Width != Width)
            throw new ArgumentException(
                $"cannot concatenate {Name} ({Channels}×{Height}×{Width}) and {other.Name} ({other.Channels}×{other.Height}×{other.Width})");
        if (!ClassNames.SequenceEqual(other.ClassNames))
            throw new ArgumentException($"cannot concatenate {Name} and {other.Name}: class names differ");
        var pixels = new byte[Pixels.LongLength + other.Pixels.LongLength];
        Pixels.CopyTo(pixels, 0);
        other.Pixels.CopyTo(pixels, Pixels.LongLength);
        int[] labels = [.. Labels, .. other.Labels];
        int[]? coarse = CoarseLabels is not null && other.CoarseLabels is not null ? [.. CoarseLabels, .. other.CoarseLabels] : null;
        var fp = Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"concat:{Fingerprint}:{other.Fingerprint}")));
        return new DataSet(name ?? $"{Name}+{other.Name}", pixels, labels, Channels, Height, Width, ClassNames, fp,
            coarse, coarse is null ? null : CoarseClassNames);
    }

    /// <inheritdoc />
    public override string ToString() => $"{Name}: {Count} × {Channels}×{Height}×{Width}, {ClassCount} classes";
}
