using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace InitLab;

/// <summary>
/// Makes the native SQLite library (<c>e_sqlite3</c>) loadable when Host is used from a host that has no
/// deps.json entry for it, e.g. an F# script that <c>#r</c>s <c>InitLab.Host.dll</c>: the runtime then only
/// probes the application directory, not <c>runtimes/&lt;rid&gt;/native</c> next to Host.
/// </summary>
public static class NativeLibraries
{
    const string SqliteLibrary = "e_sqlite3";

    static int initialized;

    /// <summary>Runs once when the Host assembly is loaded; safe to call again.</summary>
    // CA2255 warns against module initializers in libraries; here the library itself is what scripts load,
    // and the resolver must be in place before the first SQLite call.
#pragma warning disable CA2255
    [ModuleInitializer]
#pragma warning restore CA2255
    public static void Initialize()
    {
        if (Interlocked.Exchange(ref initialized, 1) != 0) return;
        try
        {
            var provider = typeof(SQLitePCL.SQLite3Provider_e_sqlite3).Assembly;
            NativeLibrary.SetDllImportResolver(provider, ResolveSqlite);
        }
        catch (InvalidOperationException)
        {
            // Another component already installed a resolver for the provider; it wins.
        }
        catch (Exception e) when (e is FileNotFoundException or FileLoadException or TypeLoadException)
        {
            // SQLitePCLRaw is not deployed next to Host: the store is unusable, everything else works.
        }
    }

    /// <summary>Directories searched for native libraries, most specific first.</summary>
    public static IReadOnlyList<string> CandidateDirectories()
    {
        var bases = new List<string>();
        void AddBase(string? dir)
        {
            if (!string.IsNullOrEmpty(dir) && !bases.Contains(dir)) bases.Add(dir);
        }
        AddBase(Path.GetDirectoryName(typeof(NativeLibraries).Assembly.Location));
        AddBase(Path.GetDirectoryName(typeof(SQLitePCL.raw).Assembly.Location));
        AddBase(AppContext.BaseDirectory);

        var rids = new List<string> { RuntimeInformation.RuntimeIdentifier };
        var portable = PortableRid();
        if (portable is not null && !rids.Contains(portable)) rids.Add(portable);

        var result = new List<string>();
        foreach (var b in bases)
        {
            foreach (var rid in rids) result.Add(Path.Combine(b, "runtimes", rid, "native"));
            result.Add(b);
        }
        return result;
    }

    static IntPtr ResolveSqlite(string libraryName, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (libraryName != SqliteLibrary) return IntPtr.Zero;
        foreach (var dir in CandidateDirectories())
        {
            foreach (var file in FileNames(libraryName))
            {
                var candidate = Path.Combine(dir, file);
                if (File.Exists(candidate) && NativeLibrary.TryLoad(candidate, out var handle)) return handle;
            }
        }
        return IntPtr.Zero; // fall back to the runtime's default probing
    }

    static IEnumerable<string> FileNames(string name)
    {
        if (OperatingSystem.IsWindows()) return [name + ".dll"];
        if (OperatingSystem.IsMacOS() || OperatingSystem.IsMacCatalyst()) return ["lib" + name + ".dylib"];
        return ["lib" + name + ".so"];
    }

    /// <summary>The portable RID (e.g. linux-x64, linux-musl-arm64) NuGet packages use for native assets.</summary>
    static string? PortableRid()
    {
        var arch = RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant();
        if (OperatingSystem.IsWindows()) return "win-" + arch;
        if (OperatingSystem.IsMacOS()) return "osx-" + arch;
        if (OperatingSystem.IsLinux())
        {
            var musl = File.Exists("/etc/alpine-release")
                       || Directory.Exists("/lib") && Directory.EnumerateFiles("/lib", "ld-musl-*").Any();
            return (musl ? "linux-musl-" : "linux-") + arch;
        }
        return null;
    }
}
