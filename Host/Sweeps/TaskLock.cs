namespace InitLab.Sweeps;

/// <summary>
/// An exclusive lock on one task (an flock'd file in the sweep's work folder), held while a process
/// trains it. The kernel drops it when that process dies, so a "running" run whose lock is free was
/// interrupted and may be resumed.
/// </summary>
public sealed class TaskLock : IDisposable
{
    readonly FileStream stream;

    TaskLock(FileStream stream) => this.stream = stream;

    /// <summary>Path of task <paramref name="index"/>'s lock file.</summary>
    public static string PathOf(SweepManifest manifest, int index) =>
        Path.Combine(manifest.WorkDirectory, "locks", $"task-{index:D5}.lock");

    /// <summary>Takes the lock, or returns null when another process holds it.</summary>
    public static TaskLock? TryAcquire(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        try
        {
            // FileShare.None is an exclusive flock on Unix
            return new TaskLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
        }
        catch (IOException) when (File.Exists(path))
        {
            return null;
        }
    }

    /// <summary>True when some process holds the lock at <paramref name="path"/> now.</summary>
    public static bool IsHeld(string path)
    {
        if (!File.Exists(path)) return false;
        using var probe = TryAcquire(path);
        return probe is null;
    }

    /// <summary>Releases the lock.</summary>
    public void Dispose() => stream.Dispose();
}
