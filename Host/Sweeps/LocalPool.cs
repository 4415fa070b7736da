using System.Diagnostics;
using System.Globalization;

namespace InitLab.Sweeps;

/// <summary>Options of a local run of every task.</summary>
/// <param name="Workers">Worker processes at once.</param>
/// <param name="ThreadsPerWorker">Kernel threads of each worker; 0: cores ÷ workers (at least 1).</param>
/// <param name="Store">The run store (path or connection string) every worker writes.</param>
/// <param name="DataRoot">Data root passed to the workers, if any.</param>
/// <param name="Worker">How to start a worker (default <see cref="WorkerCommand.Default"/>).</param>
/// <param name="Log">Where progress lines go (default standard output).</param>
public sealed record LocalPoolOptions(int Workers, string Store, int ThreadsPerWorker = 0, string? DataRoot = null,
    WorkerCommand? Worker = null, TextWriter? Log = null);

/// <summary>
/// The embedded default executor: every pending task in its own worker process, at most N at a time,
/// with workers × threads kept within the machine's cores.
/// </summary>
public static class LocalPool
{
    /// <summary>Threads per worker for <paramref name="workers"/> workers on <paramref name="cores"/> cores, checking workers × threads ≤ cores.</summary>
    /// <exception cref="ArgumentException">Impossible counts (the message names them).</exception>
    public static int ThreadsFor(int workers, int requestedThreads, int cores)
    {
        if (workers < 1) throw new ArgumentException($"--workers must be ≥ 1, got {workers}");
        if (workers > cores) throw new ArgumentException($"--workers {workers} exceeds the {cores} cores of this machine");
        if (requestedThreads < 0) throw new ArgumentException($"--threads must be ≥ 0, got {requestedThreads}");
        if (requestedThreads == 0) return Math.Max(1, cores / workers);
        if (workers * requestedThreads > cores)
            throw new ArgumentException($"--workers {workers} × --threads {requestedThreads} = {workers * requestedThreads} exceeds the {cores} cores of this machine");
        return requestedThreads;
    }

    /// <summary>Runs every task not yet finished; returns one outcome per task, in index order.</summary>
    public static IReadOnlyList<TaskOutcome> Run(SweepManifest manifest, LocalPoolOptions options)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(options);
        int threads = ThreadsFor(options.Workers, options.ThreadsPerWorker, Environment.ProcessorCount);
        var log = options.Log ?? Console.Out;
        var worker = options.Worker ?? WorkerCommand.Default();
        var outcomes = new TaskOutcome?[manifest.Tasks.Count];

        // finished tasks are skipped here, without starting a process for each
        using (var store = SweepStores.Open(options.Store))
        {
            var runs = store.GetTaskRuns(manifest.Tasks.Select(t => t.ConfigHash));
            foreach (var t in manifest.Tasks)
                if (runs.GetValueOrDefault(t.ConfigHash) is { Status: Store.RunStatus.Finished } done)
                    outcomes[t.Index] = new TaskOutcome(t.Index, TaskOutcomeKind.Skipped, done.Id, 0, $"task {t.Index} ({t.RunName}) is done: run {done.Id}");
        }

        var pending = new Queue<int>(manifest.Tasks.Select(t => t.Index).Where(i => outcomes[i] is null));
        log.WriteLine($"{manifest.Tasks.Count - pending.Count} of {manifest.Tasks.Count} task(s) done; running {pending.Count} on {options.Workers} worker(s) × {threads} thread(s)");
        var running = new List<(int Index, Process Process, Task<string> Out, Task<string> Err)>();
        while (pending.Count > 0 || running.Count > 0)
        {
            while (running.Count < options.Workers && pending.Count > 0)
            {
                int index = pending.Dequeue();
                var p = Start(worker, manifest, index, threads, options);
                running.Add((index, p, p.StandardOutput.ReadToEndAsync(), p.StandardError.ReadToEndAsync()));
            }
            var exited = running.FirstOrDefault(r => r.Process.HasExited);
            if (exited.Process is null)
            {
                Thread.Sleep(20);
                continue;
            }
            running.Remove(exited);
            exited.Process.WaitForExit();
            int code = exited.Process.ExitCode;
            string err = exited.Err.Result.Trim();
            string line = LastLine(exited.Out.Result);
            var t = manifest.Tasks[exited.Index];
            outcomes[exited.Index] = code == 0
                ? new TaskOutcome(exited.Index, line.Contains("resumed", StringComparison.Ordinal) ? TaskOutcomeKind.Resumed : TaskOutcomeKind.Trained, null, 0, line)
                : new TaskOutcome(exited.Index, TaskOutcomeKind.Failed, null, 0,
                    $"task {exited.Index} ({t.RunName}): worker exited with code {code}{(code > 128 ? $" (signal {code - 128})" : "")}"
                    + (err.Length > 0 ? ": " + LastLine(err) : ""));
            exited.Process.Dispose();
            log.WriteLine(outcomes[exited.Index]!.Message);
        }
        return outcomes.Select(o => o!).ToList();
    }

    static Process Start(WorkerCommand worker, SweepManifest manifest, int index, int threads, LocalPoolOptions o)
    {
        var psi = new ProcessStartInfo(worker.FileName) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in worker.Prefix) psi.ArgumentList.Add(a);
        foreach (var a in WorkerArguments(manifest, index.ToString(CultureInfo.InvariantCulture), threads, o.Store, o.DataRoot)) psi.ArgumentList.Add(a);
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        return Process.Start(psi) ?? throw new InvalidOperationException($"could not start {worker.FileName}");
    }

    /// <summary>The arguments of one worker: <c>sweep run --manifest M --task-index I --threads T --store S [--data-root D] --quiet</c>.</summary>
    public static IReadOnlyList<string> WorkerArguments(SweepManifest manifest, string index, int threads, string store, string? dataRoot)
    {
        var args = new List<string> { "sweep", "run", "--manifest", manifest.Path!, "--task-index", index,
            "--threads", threads.ToString(CultureInfo.InvariantCulture), "--store", store, "--quiet" };
        if (dataRoot is not null) args.AddRange(["--data-root", dataRoot]);
        return args;
    }

    static string LastLine(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? "";
}
