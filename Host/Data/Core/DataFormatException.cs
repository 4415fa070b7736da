namespace InitLab.Data;

/// <summary>
/// A data file does not have the format its reader expects: wrong magic number, truncated,
/// header dimensions that do not match its length, labels out of range, an undecodable image,
/// or compressed data that ends early. Names the file, the byte offset, what was expected and
/// what was found, so the user can locate the damage.
/// </summary>
public sealed class DataFormatException : Exception
{
    /// <summary>Creates the exception; the message is composed from the parts.</summary>
    /// <param name="path">The file (or archive member) that was being read.</param>
    /// <param name="offset">Byte offset in the (decompressed) content where the problem was found; -1 if not applicable.</param>
    /// <param name="expected">What the reader expected at that point.</param>
    /// <param name="found">What it found instead.</param>
    /// <param name="inner">Underlying exception, if any (e.g. from a decoder).</param>
    public DataFormatException(string path, long offset, string expected, string found, Exception? inner = null)
        : base(Compose(path, offset, expected, found), inner)
    {
        Path = path;
        Offset = offset;
        Expected = expected;
        Found = found;
    }

    /// <summary>The file (or archive member) that was being read.</summary>
    public string Path { get; }

    /// <summary>Byte offset of the problem in the decompressed content; -1 when it has no position.</summary>
    public long Offset { get; }

    /// <summary>What the reader expected.</summary>
    public string Expected { get; }

    /// <summary>What the reader found instead.</summary>
    public string Found { get; }

    private static string Compose(string path, long offset, string expected, string found) =>
        offset >= 0
            ? $"{path}: at byte {offset}: expected {expected}, found {found}"
            : $"{path}: expected {expected}, found {found}";
}
