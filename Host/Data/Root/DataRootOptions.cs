namespace InitLab.Data;

/// <summary>Options for <see cref="DataRoot.Resolve"/>.</summary>
public sealed record DataRootOptions
{
    /// <summary>An explicit data root, tried first (e.g. from --root).</summary>
    public string? ExplicitRoot { get; init; }

    /// <summary>Catalog names of the data sets that must be present (default: MNIST).</summary>
    public IReadOnlyList<string> DataSets { get; init; } = ["mnist"];

    /// <summary>Try downloading into the cache when no root has the data (default true).</summary>
    public bool AllowDownload { get; init; } = true;

    /// <summary>Download from this base URL instead of the pinned official ones (file name + ".gz" appended); checksums still apply.</summary>
    public Uri? Mirror { get; init; }

    /// <summary>Cache directory override; default XDG_CACHE_HOME/initlab or ~/.cache/initlab.</summary>
    public string? CacheDirectory { get; init; }

    /// <summary>Environment lookup (default: the process environment); replaceable for tests.</summary>
    public Func<string, string?>? Environment { get; init; }

    /// <summary>Where the fallback warning goes (default: standard error).</summary>
    public TextWriter? Warnings { get; init; }

    /// <summary>HTTP client for downloads (default: a new one with <see cref="DownloadTimeout"/>).</summary>
    public HttpClient? HttpClient { get; init; }

    /// <summary>Timeout of each HTTP request when no client is supplied.</summary>
    public TimeSpan DownloadTimeout { get; init; } = TimeSpan.FromMinutes(2);
}
