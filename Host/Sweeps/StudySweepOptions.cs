namespace InitLab.Sweeps;

/// <summary>A study script's sweep flags: where its arms train (see <see cref="StudySweep"/>).</summary>
/// <param name="Workers"><c>--workers N</c>: local worker processes (0: no local pool).</param>
/// <param name="Slurm"><c>--slurm</c>: submit each batch as a Slurm job array and stop (rerun the script when it is done).</param>
/// <param name="ReportOnly"><c>--report-only</c>: train nothing; every batch must already be done in the store.</param>
/// <param name="ThreadsPerTask">Kernel threads of each worker or array task; 0: cores ÷ workers locally, 1 on Slurm.</param>
/// <param name="DataRoot">Data root for the workers (null: theirs, by INITLAB_DATA, cache, download).</param>
public sealed record StudySweepOptions(int Workers = 0, bool Slurm = false, bool ReportOnly = false, int ThreadsPerTask = 0, string? DataRoot = null)
{
    /// <summary>True when any of the three flags was given; otherwise the script trains in its own process.</summary>
    public bool Active => Workers > 0 || Slurm || ReportOnly;
}
