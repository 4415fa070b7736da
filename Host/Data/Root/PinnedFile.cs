namespace InitLab.Data;

/// <summary>
/// One file of a published data set with its pinned checksums. A file may be stored raw or gzipped;
/// each form has its own checksum where one is known.
/// </summary>
/// <param name="Name">File name as published, without a trailing ".gz" (e.g. "train-images-idx3-ubyte").</param>
/// <param name="GzipSha256">Hex SHA-256 of the gzipped form, or null if unknown.</param>
/// <param name="GzipSize">Size in bytes of the gzipped form, or null if unknown.</param>
/// <param name="RawSha256">Hex SHA-256 of the uncompressed form, or null if unknown.</param>
/// <param name="RawMd5">Hex MD5 of the uncompressed form (the checksum some publishers give), or null.</param>
/// <param name="Urls">Download locations of the gzipped form, tried in order (official first); empty if not downloadable alone.</param>
public sealed record PinnedFile(
    string Name,
    string? GzipSha256,
    long? GzipSize,
    string? RawSha256,
    string? RawMd5,
    IReadOnlyList<string> Urls);

/// <summary>A known data set: the folder it lives in under a data root and its pinned files.</summary>
/// <param name="Name">Short name used on the command line (e.g. "mnist").</param>
/// <param name="Folder">Folder under the data root, '/'-separated.</param>
/// <param name="Files">Pinned files; empty when the set is a folder tree checked by other means.</param>
/// <param name="Archive">The official archive the files come in, when they are not downloadable one by one.</param>
public sealed record CatalogEntry(string Name, string Folder, IReadOnlyList<PinnedFile> Files, PinnedArchive? Archive = null);

/// <summary>
/// An official .tar.gz archive holding a data set's files under <paramref name="MemberFolder"/>/. When every
/// pinned file has a raw SHA-256, the extracted members are checked against those (stronger than the archive's
/// MD5, and independent of how the archive was packed); otherwise the archive's MD5 is checked.
/// </summary>
/// <param name="FileName">The archive's file name (also used after a mirror base URL).</param>
/// <param name="Urls">Official download locations, tried in order.</param>
/// <param name="Md5">Published MD5 of the archive.</param>
/// <param name="MemberFolder">Folder inside the archive holding the files.</param>
public sealed record PinnedArchive(string FileName, IReadOnlyList<string> Urls, string Md5, string MemberFolder);

/// <summary>Outcome of checking one file against its pinned checksum.</summary>
public enum ChecksumStatus
{
    /// <summary>The file matches its pinned checksum.</summary>
    Match,
    /// <summary>The file differs from its pinned checksum.</summary>
    Mismatch,
    /// <summary>No checksum is pinned for the form found.</summary>
    Unpinned,
    /// <summary>The file was not found.</summary>
    Missing,
}

/// <summary>Result of checking one pinned file in a data root.</summary>
/// <param name="File">The pinned file.</param>
/// <param name="Path">Where it was found, or null.</param>
/// <param name="Status">Match, mismatch, unpinned or missing.</param>
/// <param name="Actual">The checksum computed (SHA-256, or MD5 when only that is pinned), or null.</param>
/// <param name="Expected">The pinned checksum compared against, or null.</param>
public sealed record FileCheck(PinnedFile File, string? Path, ChecksumStatus Status, string? Actual, string? Expected);
