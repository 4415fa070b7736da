using InitLab.Data;

namespace InitLab.Studies;

/// <summary>The data of a study: which sets, how their pixels are read, in what order they are drawn.</summary>
public sealed record DataConfig
{
    /// <summary>Catalog names of the data sets the study trains on (<see cref="DataCatalog"/>), e.g. "mnist", "chars74k-hnd".</summary>
    public required IReadOnlyList<string> Sets { get; init; }

    /// <summary>Byte → float scale of the images.</summary>
    public PixelScale Scale { get; init; } = PixelScale.Caffe256;

    /// <summary>Invert the images (dark ink on white, <see cref="PixelTransforms.Invert"/>).</summary>
    public bool Invert { get; init; }

    /// <summary>Shuffle the training set each epoch; false reads it in order, as Caffe reads its LMDB.</summary>
    public bool Shuffle { get; init; } = true;

    /// <summary>Seed of the per-epoch shuffle; null takes the trainer's default.</summary>
    public int? ShuffleSeed { get; init; }

    /// <summary>The split of sets that have no test set of their own (Chars74K); null when none needs one.</summary>
    public SplitConfig? Split { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> naming an unknown set or an impossible split.</summary>
    public void Validate()
    {
        if (Sets is null || Sets.Count == 0) throw new ArgumentException("data sets are missing: name at least one, e.g. \"mnist\"");
        foreach (var name in Sets)
            if (DataCatalog.Find(name) is null)
                throw new ArgumentException($"data set '{name}' is unknown; known: {string.Join(", ", DataCatalog.All.Select(e => e.Name))}");
        if (!Enum.IsDefined(Scale)) throw new ArgumentException($"data scale {(int)Scale} is not a PixelScale");
        Split?.Validate();
    }
}
