using System.Runtime.InteropServices;

namespace InitLab.Store;

/// <summary>
/// Flushes a directory's entries to disk. A rename is durable only once the directory holding it is
/// synced: without this, a power cut right after an atomic replace may bring back the old file (or,
/// on some file systems, none). POSIX only; on Windows the rename itself is journalled by NTFS.
/// </summary>
static partial class DirectorySync
{
    const int ReadOnly = 0, DirectoryFlag = 0x10000, CloseOnExec = 0x80000; // O_RDONLY, O_DIRECTORY, O_CLOEXEC (Linux)

    /// <summary>Syncs <paramref name="directory"/>; best effort where the platform or file system cannot.</summary>
    public static void Flush(string directory)
    {
        if (!OperatingSystem.IsLinux())
            return;
        int fd = Open(directory, ReadOnly | DirectoryFlag | CloseOnExec);
        if (fd < 0)
            return; // e.g. no read permission on the directory: the data itself is already flushed
        try { _ = Fsync(fd); } // EINVAL on file systems that cannot sync directories: nothing more to do
        finally { _ = Close(fd); }
    }

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync")]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);
}
