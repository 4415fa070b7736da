using System.Collections.Concurrent;
using System.Reflection;

namespace InitLab.Sweeps;

/// <summary>
/// Finds the <see cref="ISweepTaskKind"/> a task's config names: the built-in LeNet kind for configs without
/// one, else a kind registered in this process or any public <see cref="ISweepTaskKind"/> class with a
/// parameterless constructor in the Host assembly or another loaded InitLab assembly.
/// </summary>
public static class SweepTaskKinds
{
    static readonly ConcurrentDictionary<string, ISweepTaskKind> registered = new(StringComparer.Ordinal);

    /// <summary>Makes <paramref name="kind"/> known in this process (scripts and tests; classes in Host are found without it).</summary>
    public static void Register(ISweepTaskKind kind)
    {
        ArgumentNullException.ThrowIfNull(kind);
        registered[kind.Name] = kind;
    }

    /// <summary>The kind named <paramref name="name"/>; null or "" is the built-in LeNet trainer (returns null).</summary>
    /// <exception cref="ArgumentException">No such kind; the message lists the known ones.</exception>
    public static ISweepTaskKind? Find(string? name)
    {
        if (string.IsNullOrEmpty(name)) return null;
        if (registered.TryGetValue(name, out var kind)) return kind;
        foreach (var k in Discover()) registered.TryAdd(k.Name, k);
        return registered.TryGetValue(name, out kind) ? kind
            : throw new ArgumentException($"unknown task kind '{name}'; known: (none: the LeNet trainer), {string.Join(", ", registered.Keys.Order(StringComparer.Ordinal))}");
    }

    static IEnumerable<ISweepTaskKind> Discover() =>
        AppDomain.CurrentDomain.GetAssemblies()
            .Where(a => !a.IsDynamic && (a.GetName().Name ?? "").StartsWith("InitLab", StringComparison.Ordinal))
            .SelectMany(Types)
            .Where(t => t is { IsClass: true, IsAbstract: false, IsPublic: true } && typeof(ISweepTaskKind).IsAssignableFrom(t)
                        && t.GetConstructor(Type.EmptyTypes) is not null)
            .Select(t => (ISweepTaskKind)Activator.CreateInstance(t)!);

    static IEnumerable<Type> Types(Assembly a)
    {
        try
        {
            return a.GetTypes();
        }
        catch (ReflectionTypeLoadException e)
        {
            return e.Types.Where(t => t is not null)!;
        }
    }
}
