using System.Diagnostics;
using System.Globalization;

namespace InitLab.Store;

/// <summary>
/// The process that holds a running run: host name, process id and the process's start time (so a
/// recycled pid is not mistaken for the original process).
/// </summary>
/// <param name="Host">Machine name.</param>
/// <param name="Pid">Process id.</param>
/// <param name="ProcessStarted">Start time of the process (UTC, round-trip text), or null if unknown.</param>
public sealed record RunOwner(string Host, int Pid, string? ProcessStarted)
{
    /// <summary>The current process.</summary>
    public static RunOwner Current { get; } = Describe();

    static RunOwner Describe()
    {
        using var self = Process.GetCurrentProcess();
        return new RunOwner(Environment.MachineName, self.Id, StartText(self));
    }

    static string? StartText(Process p)
    {
        try
        {
            return p.StartTime.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception or NotSupportedException)
        {
            return null;
        }
    }

    /// <summary>True when this owner is on this machine and its process is gone (or is a different process with the same pid).</summary>
    public bool IsGoneFromThisHost()
    {
        if (!string.Equals(Host, Environment.MachineName, StringComparison.OrdinalIgnoreCase)) return false;
        if (Pid == Current.Pid) return false;
        if (OperatingSystem.IsLinux() && IsZombie(Pid)) return true;
        try
        {
            using var p = Process.GetProcessById(Pid);
            if (p.HasExited) return true;
            var started = StartText(p);
            return ProcessStarted is not null && started is not null && !SameInstant(ProcessStarted, started);
        }
        catch (ArgumentException)
        {
            return true; // no process with that id
        }
        catch (InvalidOperationException)
        {
            return true;
        }
    }

    // Start times come from /proc in clock ticks: allow a tick's rounding.
    static bool SameInstant(string a, string b) =>
        Math.Abs((DateTimeOffset.Parse(a, CultureInfo.InvariantCulture) - DateTimeOffset.Parse(b, CultureInfo.InvariantCulture)).TotalSeconds) < 1.0;

    static bool IsZombie(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var close = stat.LastIndexOf(')');
            return close > 0 && close + 2 < stat.Length && stat[close + 2] is 'Z' or 'X';
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }
}
