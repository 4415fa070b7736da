using System.Globalization;

namespace InitLab.Sweeps;

/// <summary>
/// A test hook that makes "kill a worker mid-task" deterministic: with
/// <c>INITLAB_SWEEP_PAUSE=INDEX:ITERATION:FILE</c>, a fresh run of task INDEX checkpoints at ITERATION,
/// writes its process id to FILE and waits there until FILE is removed (at most 10 minutes).
/// </summary>
public sealed record PausePoint(int TaskIndex, int Iteration, string File)
{
    /// <summary>Name of the environment variable.</summary>
    public const string Variable = "INITLAB_SWEEP_PAUSE";

    /// <summary>The pause point set in the environment, if any.</summary>
    public static PausePoint? FromEnvironment()
    {
        var text = Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrWhiteSpace(text)) return null;
        var parts = text.Split(':', 3);
        if (parts.Length != 3 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var index)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var iteration) || iteration < 1)
            throw new ArgumentException($"{Variable}='{text}' is not INDEX:ITERATION:FILE");
        return new PausePoint(index, iteration, parts[2]);
    }

    /// <summary>Announces the pause (FILE holds the process id) and waits for FILE to disappear.</summary>
    public void Wait()
    {
        var temp = File + ".tmp";
        System.IO.File.WriteAllText(temp, Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        System.IO.File.Move(temp, File, overwrite: true);
        var deadline = DateTime.UtcNow.AddMinutes(10);
        while (System.IO.File.Exists(File) && DateTime.UtcNow < deadline) Thread.Sleep(50);
    }
}
