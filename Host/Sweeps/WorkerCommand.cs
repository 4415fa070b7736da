namespace InitLab.Sweeps;

/// <summary>How to start the <c>initlab</c> CLI as a worker process: a program and the arguments before the command's own.</summary>
/// <param name="FileName">Executable (the <c>initlab</c> app host, or <c>dotnet</c>).</param>
/// <param name="Prefix">Arguments before the command, e.g. the path of initlab.dll.</param>
public sealed record WorkerCommand(string FileName, IReadOnlyList<string> Prefix)
{
    /// <summary>Name of the environment variable that overrides the CLI's location (a path to initlab or initlab.dll).</summary>
    public const string Variable = "INITLAB_CLI";

    /// <summary>Runs <paramref name="cliPath"/>: an initlab.dll through the dotnet host, an app host directly.</summary>
    public static WorkerCommand For(string cliPath)
    {
        var full = Path.GetFullPath(cliPath);
        if (!full.EndsWith(".dll", StringComparison.OrdinalIgnoreCase)) return new WorkerCommand(full, []);
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } h ? h
            : Environment.ProcessPath is { } p && Path.GetFileNameWithoutExtension(p) == "dotnet" ? p
            : "dotnet";
        return new WorkerCommand(host, [full]);
    }

    /// <summary>
    /// INITLAB_CLI if set, else initlab.dll beside the Host assembly or in the application's folder.
    /// </summary>
    /// <exception cref="FileNotFoundException">No CLI is found; the message says where it looked.</exception>
    public static WorkerCommand Default()
    {
        if (Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } env) return For(env);
        string[] folders = [Path.GetDirectoryName(typeof(WorkerCommand).Assembly.Location) ?? "", AppContext.BaseDirectory];
        foreach (var dir in folders.Where(d => d.Length > 0).Distinct())
        {
            var dll = Path.Combine(dir, "initlab.dll");
            if (File.Exists(dll)) return For(dll);
        }
        throw new FileNotFoundException($"initlab.dll is not beside {string.Join(" or ", folders)}; set {Variable} to the CLI's path");
    }

    /// <summary>The command line as shell words, for scripts (sbatch, Kubernetes).</summary>
    public string ShellWords(IEnumerable<string> args) =>
        string.Join(' ', new[] { FileName }.Concat(Prefix).Concat(args).Select(Quote));

    /// <summary>Single-quotes a word for POSIX shells unless it is plain.</summary>
    public static string Quote(string word) =>
        word.Length > 0 && word.All(c => char.IsAsciiLetterOrDigit(c) || "-_./=:,@%+".Contains(c)) ? word : "'" + word.Replace("'", "'\\''") + "'";
}
