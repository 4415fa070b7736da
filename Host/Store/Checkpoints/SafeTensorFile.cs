namespace InitLab.Store;

/// <summary>The content of a safetensors file: its tensors (in data order) and its string metadata.</summary>
public sealed class SafeTensorFile
{
    readonly Dictionary<string, SafeTensorEntry> byName;

    internal SafeTensorFile(string path, IReadOnlyList<SafeTensorEntry> tensors, IReadOnlyDictionary<string, string> metadata)
    {
        Path = path;
        Tensors = tensors;
        Metadata = metadata;
        byName = tensors.ToDictionary(t => t.Name, StringComparer.Ordinal);
    }

    /// <summary>The file read.</summary>
    public string Path { get; }

    /// <summary>Tensors in the order of their data in the file.</summary>
    public IReadOnlyList<SafeTensorEntry> Tensors { get; }

    /// <summary>The <c>__metadata__</c> map (empty when the file has none).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>The tensor named <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">No such tensor (the message names the file).</exception>
    public SafeTensorEntry this[string name] =>
        byName.TryGetValue(name, out var e) ? e : throw new KeyNotFoundException($"'{Path}' has no tensor '{name}'.");

    /// <summary>Looks a tensor up by name.</summary>
    public bool TryGet(string name, out SafeTensorEntry entry) => byName.TryGetValue(name, out entry!);
}
