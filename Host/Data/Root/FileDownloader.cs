using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;

namespace InitLab.Data;

/// <summary>
/// Downloads one file to a destination with SHA-256 verification. Resumable: bytes arrive in
/// <c>destination.part</c>; a later attempt (in this call after a dropped connection, or in a later
/// run) asks for the rest with an HTTP Range request. The destination appears only when complete
/// and verified, so a failure never leaves a corrupt file under the real name.
/// </summary>
public sealed class FileDownloader
{
    private readonly HttpClient _client;

    /// <summary>Creates a downloader using <paramref name="client"/> (not disposed by this class).</summary>
    public FileDownloader(HttpClient client) => _client = client ?? throw new ArgumentNullException(nameof(client));

    /// <summary>Attempts per URL; each attempt resumes from the bytes already in the .part file.</summary>
    public int AttemptsPerUrl { get; init; } = 3;

    /// <summary>Messages about retries and fallbacks (default: none).</summary>
    public TextWriter? Log { get; init; }

    /// <summary>
    /// Fetches the file from the first URL that yields content with the expected SHA-256; returns the destination path.
    /// </summary>
    /// <exception cref="IOException">No URL produced the file; the message lists each URL's failure.</exception>
    public Task<string> DownloadAsync(IReadOnlyList<Uri> urls, string destination, string expectedSha256, long? expectedSize = null, CancellationToken cancel = default) =>
        DownloadAsync(urls, destination, HashAlgorithmName.SHA256, expectedSha256 ?? throw new ArgumentNullException(nameof(expectedSha256)), expectedSize, cancel);

    /// <summary>
    /// As <see cref="DownloadAsync(IReadOnlyList{Uri}, string, string, long?, CancellationToken)"/> with another checksum
    /// (e.g. MD5, the only one some publishers give), or none (<paramref name="expectedHash"/> null) when the content is
    /// verified afterwards by other means (an archive whose members have pinned SHA-256 values).
    /// </summary>
    public async Task<string> DownloadAsync(IReadOnlyList<Uri> urls, string destination, HashAlgorithmName algorithm, string? expectedHash, long? expectedSize = null, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(urls);
        if (urls.Count == 0) throw new ArgumentException($"no URL to download {destination} from");
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(destination))!);
        string part = destination + ".part";
        var failures = new List<string>();
        foreach (var url in urls)
        {
            for (int attempt = 1; attempt <= AttemptsPerUrl; attempt++)
            {
                cancel.ThrowIfCancellationRequested();
                try
                {
                    await FetchRestAsync(url, part, expectedSize, cancel).ConfigureAwait(false);
                    string sha = expectedHash is null ? "" : await HashFileAsync(part, algorithm, cancel).ConfigureAwait(false);
                    if (expectedHash is not null && !string.Equals(sha, expectedHash, StringComparison.OrdinalIgnoreCase))
                    {
                        // Corrupt content: resuming would only extend it, so start over from scratch.
                        File.Delete(part);
                        failures.Add($"{url}: {(algorithm == HashAlgorithmName.SHA256 ? "SHA-256" : algorithm.Name)} {sha}, expected {expectedHash}");
                        Log?.WriteLine($"download {url}: checksum mismatch, discarded");
                        break;
                    }
                    File.Move(part, destination, overwrite: true);
                    return destination;
                }
                catch (Exception e) when (e is HttpRequestException or IOException or TaskCanceledException && !cancel.IsCancellationRequested)
                {
                    long have = File.Exists(part) ? new FileInfo(part).Length : 0;
                    failures.Add($"{url} (attempt {attempt}, {have} bytes kept): {e.Message}");
                    Log?.WriteLine($"download {url}: {e.Message}; {have} bytes kept for resuming");
                }
            }
        }
        throw new IOException($"could not download {Path.GetFileName(destination)}: " + string.Join("; ", failures));
    }

    /// <summary>Appends the missing tail of the file to <paramref name="part"/> (whole file if none yet).</summary>
    private async Task FetchRestAsync(Uri url, string part, long? expectedSize, CancellationToken cancel)
    {
        long have = File.Exists(part) ? new FileInfo(part).Length : 0;
        if (expectedSize is long size && have == size) return;
        if (expectedSize is long s2 && have > s2) { File.Delete(part); have = 0; }
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (have > 0) request.Headers.Range = new RangeHeaderValue(have, null);
        using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancel).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable && have > 0)
            return; // The .part already holds everything the server has; the checksum decides.
        response.EnsureSuccessStatusCode();
        bool append = have > 0 && response.StatusCode == HttpStatusCode.PartialContent
                      && response.Content.Headers.ContentRange?.From == have;
        await using var body = await response.Content.ReadAsStreamAsync(cancel).ConfigureAwait(false);
        await using var file = new FileStream(part, append ? FileMode.Append : FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
        await body.CopyToAsync(file, 1 << 16, cancel).ConfigureAwait(false);
        // A body shorter than announced is a dropped connection, even if the stream ended quietly.
        long expectedEnd = response.Content.Headers.ContentLength is long len ? (append ? have : 0) + len : -1;
        await file.FlushAsync(cancel).ConfigureAwait(false);
        if (expectedEnd >= 0 && file.Length < expectedEnd)
            throw new IOException($"connection closed after {file.Length} of {expectedEnd} bytes");
    }

    private static async Task<string> HashFileAsync(string path, HashAlgorithmName algorithm, CancellationToken cancel)
    {
        await using var f = File.OpenRead(path);
        using var hash = IncrementalHash.CreateHash(algorithm);
        var buffer = new byte[1 << 16];
        int n;
        while ((n = await f.ReadAsync(buffer, cancel).ConfigureAwait(false)) > 0) hash.AppendData(buffer, 0, n);
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
