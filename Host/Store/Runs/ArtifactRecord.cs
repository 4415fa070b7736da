namespace InitLab.Store;

/// <summary>A file produced by a run (checkpoint, report, plot), recorded with its SHA-256.</summary>
/// <param name="Id">Store-wide identifier.</param>
/// <param name="Run">Run that produced the file.</param>
/// <param name="Kind">What the file is (e.g. "checkpoint", "report").</param>
/// <param name="Path">Path of the file as given when it was added.</param>
/// <param name="Sha256">Lower-case hexadecimal SHA-256 of the file's content.</param>
public sealed record ArtifactRecord(long Id, long Run, string Kind, string Path, string Sha256);
