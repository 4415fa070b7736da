namespace InitLab.Store;

/// <summary>
/// Replaces a file in one step: the content goes to a temporary file in the same directory, is flushed
/// to disk, then renamed over the target, and the directory is synced so the rename itself survives a
/// power cut. A crash at any point leaves either the old or the new file.
/// </summary>
public static class AtomicFile
{
    /// <summary>Writes <paramref name="path"/> atomically with the bytes <paramref name="write"/> puts in the stream.</summary>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(write);
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(dir);
        RemoveStaleTemporaries(dir, Path.GetFileName(full));
        var temp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20))
            {
                write(stream);
                PauseAt("before-flush");
                stream.Flush(flushToDisk: true);
            }
            PauseAt("before-rename");
            File.Move(temp, full, overwrite: true);
            DirectorySync.Flush(dir);
        }
        catch
        {
            try { File.Delete(temp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw;
        }
    }

    /// <summary>Test hook: <c>POINT:DIR</c> pauses every write at POINT (<c>before-flush</c> or <c>before-rename</c>).</summary>
    public const string PauseVariable = "INITLAB_ATOMIC_FILE_PAUSE";

    /// <summary>
    /// At the point <see cref="PauseVariable"/> names, creates DIR/POINT.PID and blocks until that file is deleted,
    /// so a test can kill the writer at a known moment of a save instead of by luck. Off unless the variable is set.
    /// </summary>
    static void PauseAt(string point)
    {
        var setting = Environment.GetEnvironmentVariable(PauseVariable);
        if (string.IsNullOrEmpty(setting) || !setting.StartsWith(point + ":", StringComparison.Ordinal)) return;
        var marker = Path.Combine(setting[(point.Length + 1)..], $"{point}.{Environment.ProcessId}");
        File.WriteAllText(marker, "");
        while (File.Exists(marker)) Thread.Sleep(5);
    }

    /// <summary>
    /// Deletes temporary files of <paramref name="name"/> left by writers that died mid-save (their
    /// process id is no longer running); files of live writers, this process included, are kept.
    /// </summary>
    static void RemoveStaleTemporaries(string dir, string name)
    {
        foreach (var file in Directory.EnumerateFiles(dir, $".{name}.*.tmp"))
        {
            var parts = Path.GetFileName(file)[(name.Length + 2)..].Split('.');
            if (parts.Length != 3 || !int.TryParse(parts[0], out int pid) || pid == Environment.ProcessId || IsRunning(pid))
                continue;
            try { File.Delete(file); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    static bool IsRunning(int pid)
    {
        try
        {
            using var p = System.Diagnostics.Process.GetProcessById(pid);
            return !p.HasExited;
        }
        catch (ArgumentException) { return false; }
        catch (InvalidOperationException) { return false; }
    }
}
