namespace InitLab.Sweeps;

/// <summary>How a sweep is handed to Slurm as one job array.</summary>
/// <param name="Store">Run store every array task writes (a path on a shared file system, or a connection string).</param>
/// <param name="Partition">Partition (null: the cluster's default).</param>
/// <param name="Time">Time limit per task, in sbatch's syntax (e.g. 01:00:00; null: the partition's).</param>
/// <param name="MaxParallel">Array tasks running at once (the %K of --array; 0: no limit).</param>
/// <param name="ThreadsPerTask">Kernel threads per task, also --cpus-per-task.</param>
/// <param name="Memory">--mem per task (e.g. 2G; null: the cluster's default).</param>
/// <param name="Account">--account (null: none).</param>
/// <param name="DataRoot">Data root on the compute nodes, if not INITLAB_DATA there.</param>
/// <param name="Worker">How the compute nodes start initlab (default <see cref="WorkerCommand.Default"/>).</param>
public sealed record SlurmOptions(string Store, string? Partition = null, string? Time = null, int MaxParallel = 0,
    int ThreadsPerTask = 1, string? Memory = null, string? Account = null, string? DataRoot = null, WorkerCommand? Worker = null);
