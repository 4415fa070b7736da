namespace InitLab.Data;

/// <summary>
/// Finds the data root. Order: explicit option → INITLAB_DATA → user cache directory → download
/// into the cache (pinned URLs, SHA-256 checked, resumable) → synthetic fallback with a loud warning
/// on standard error naming what was missing.
/// </summary>
public static class DataRoot
{
    /// <summary>Name of the environment variable holding the data root.</summary>
    public const string EnvironmentVariable = "INITLAB_DATA";

    /// <summary>The user cache directory: $XDG_CACHE_HOME/initlab, else ~/.cache/initlab.</summary>
    public static string DefaultCacheDirectory(Func<string, string?>? environment = null)
    {
        environment ??= System.Environment.GetEnvironmentVariable;
        var xdg = environment("XDG_CACHE_HOME");
        if (!string.IsNullOrWhiteSpace(xdg)) return Path.Combine(xdg, "initlab");
        var home = environment("HOME");
        if (string.IsNullOrWhiteSpace(home)) home = System.Environment.GetFolderPath(System.Environment.SpecialFolder.UserProfile);
        return Path.Combine(home, ".cache", "initlab");
    }

    /// <summary>The files of <paramref name="entry"/> missing under <paramref name="root"/> (empty when all are there).</summary>
    public static IReadOnlyList<string> MissingFiles(string root, CatalogEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (!Directory.Exists(root))
            return [.. entry.Files.Select(f => Path.Combine(root, entry.Folder, f.Name + "[.gz]")), $"(no folder {root})"];
        if (entry == DataCatalog.Mnist)
            return Mnist.FindDirectory(root) is { } dir
                ? Mnist.Files.Where(f => Mnist.FindFile(dir, f.Stem, f.Kind) is null).Select(f => Path.Combine(dir, $"{f.Stem}-{f.Kind}[.gz]")).ToList()
                : [Path.Combine(root, "mnist", "train-images-idx3-ubyte[.gz]")];
        return entry.Files.Where(f => DataCatalog.Locate(root, entry, f) is null)
            .Select(f => Path.Combine(root, entry.Folder, f.Name + "[.gz]")).ToList();
    }

    /// <summary>Resolves the data root for the requested data sets (see the class summary for the order).</summary>
    /// <exception cref="DataRootNotFoundException">The explicit root does not exist.</exception>
    public static DataRootResolution Resolve(DataRootOptions? options = null) =>
        ResolveAsync(options).GetAwaiter().GetResult();

    /// <summary>Asynchronous form of <see cref="Resolve"/>.</summary>
    /// <exception cref="DataRootNotFoundException">The explicit root does not exist.</exception>
    public static async Task<DataRootResolution> ResolveAsync(DataRootOptions? options = null, CancellationToken cancel = default)
    {
        options ??= new DataRootOptions();
        var env = options.Environment ?? System.Environment.GetEnvironmentVariable;
        var entries = options.DataSets.Select(n => DataCatalog.Find(n) ?? throw new ArgumentException($"unknown data set '{n}'; known: {string.Join(", ", DataCatalog.All.Select(e => e.Name))}")).ToList();
        var notes = new List<string>();
        string cache = options.CacheDirectory ?? DefaultCacheDirectory(env);

        bool Complete(string root, string label)
        {
            var missing = entries.SelectMany(e => MissingFiles(root, e)).ToList();
            if (missing.Count == 0) return true;
            notes.Add($"{label} {root}: missing {string.Join(", ", missing)}");
            return false;
        }

        if (!string.IsNullOrWhiteSpace(options.ExplicitRoot) && !Directory.Exists(options.ExplicitRoot))
            throw new DataRootNotFoundException(options.ExplicitRoot);
        if (!string.IsNullOrWhiteSpace(options.ExplicitRoot) && Complete(options.ExplicitRoot, "explicit root"))
            return new DataRootResolution(Path.GetFullPath(options.ExplicitRoot), DataRootSource.Explicit, notes);
        var fromEnv = env(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(fromEnv) && Complete(fromEnv, EnvironmentVariable + "="))
            return new DataRootResolution(Path.GetFullPath(fromEnv), DataRootSource.EnvironmentVariable, notes);
        if (string.IsNullOrWhiteSpace(fromEnv)) notes.Add($"{EnvironmentVariable} is not set");
        if (Complete(cache, "cache"))
            return new DataRootResolution(Path.GetFullPath(cache), DataRootSource.UserCache, notes);

        if (options.AllowDownload)
        {
            if (await TryDownloadAsync(entries, cache, options, notes, cancel).ConfigureAwait(false) && Complete(cache, "cache after download"))
                return new DataRootResolution(Path.GetFullPath(cache), DataRootSource.Downloaded, notes);
        }
        else notes.Add("download disabled");

        var warn = options.Warnings ?? Console.Error;
        warn.WriteLine($"initlab: WARNING: no real data for {string.Join(", ", entries.Select(e => e.Name))}; falling back to SYNTHETIC digits.");
        foreach (var n in notes) warn.WriteLine($"initlab:   {n}");
        warn.Flush();
        return new DataRootResolution(null, DataRootSource.Synthetic, notes);
    }

    private static async Task<bool> TryDownloadAsync(List<CatalogEntry> entries, string cache, DataRootOptions options, List<string> notes, CancellationToken cancel)
    {
        bool Downloadable(CatalogEntry e) =>
            e.Archive is not null
            || (e.Files.Count > 0 && e.Files.All(f => f.GzipSha256 is not null && (f.Urls.Count > 0 || options.Mirror is not null)));
        var notDownloadable = entries.Where(e => !Downloadable(e)).ToList();
        if (notDownloadable.Count > 0)
        {
            notes.Add($"no pinned download for {string.Join(", ", notDownloadable.Select(e => e.Name))}");
            return false;
        }
        var client = options.HttpClient ?? new HttpClient { Timeout = options.DownloadTimeout };
        try
        {
            var downloader = new FileDownloader(client) { Log = options.Warnings ?? Console.Error };
            foreach (var entry in entries)
            {
                if (MissingFiles(cache, entry).Count == 0) continue;
                if (entry.Archive is { } archive)
                    await InstallArchiveAsync(downloader, entry, archive, cache, options, cancel).ConfigureAwait(false);
                else
                    foreach (var file in entry.Files)
                    {
                        if (DataCatalog.Locate(cache, entry, file) is not null) continue;
                        var urls = options.Mirror is { } m
                            ? new[] { new Uri(m, file.Name + ".gz") }
                            : file.Urls.Select(u => new Uri(u)).ToArray();
                        await downloader.DownloadAsync(urls, Path.Combine(cache, entry.Folder, file.Name + ".gz"), file.GzipSha256!, file.GzipSize, cancel).ConfigureAwait(false);
                    }
            }
            return true;
        }
        catch (Exception e) when (e is IOException or DataFormatException)
        {
            notes.Add($"download failed: {e.Message}");
            return false;
        }
        finally
        {
            if (options.HttpClient is null) client.Dispose();
        }
    }

    /// <summary>Downloads (resumably) and unpacks an official archive; the archive is deleted once its members are in place.</summary>
    private static async Task InstallArchiveAsync(FileDownloader downloader, CatalogEntry entry, PinnedArchive archive, string cache, DataRootOptions options, CancellationToken cancel)
    {
        var urls = options.Mirror is { } m ? new[] { new Uri(m, archive.FileName) } : archive.Urls.Select(u => new Uri(u)).ToArray();
        string path = Path.Combine(cache, "downloads", archive.FileName);
        bool membersPinned = ArchiveInstaller.MembersPinned(entry);
        await downloader.DownloadAsync(urls, path, System.Security.Cryptography.HashAlgorithmName.MD5, membersPinned ? null : archive.Md5, null, cancel).ConfigureAwait(false);
        ArchiveInstaller.Extract(path, entry, Path.Combine(cache, entry.Folder));
        File.Delete(path);
    }
}
