using System.Globalization;
using InitLab.Kernel;
using InitLab.Store;

namespace InitLab.Tests.StoreWriter;

/// <summary>
/// Child process for Host.Tests. Modes:
/// <c>runs STORE WRITER RUNS STEPS</c> writes RUNS runs with STEPS steps of metrics each;
/// <c>checkpoint PATH FLOATS START</c> saves checkpoints START, START+1, … to PATH until killed;
/// <c>tasks STORE WRITER TASKS STEPS</c> claims tasks 0..TASKS-1 with <see cref="RunStore.BeginTask"/> and trains those it gets;
/// <c>hold STORE CONFIG</c> begins the task CONFIG, prints "started ID" and waits to be killed.
/// STORE is a SQLite path or a PostgreSQL connection string.
/// Values follow <see cref="Expected"/> so the parent can check every one.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        try
        {
            return args switch
            {
                ["runs", var store, var writer, var runs, var steps] =>
                    WriteRuns(store, Int(writer), Int(runs), Int(steps)),
                ["tasks", var store, var writer, var tasks, var steps] =>
                    ClaimTasks(store, Int(writer), Int(tasks), Int(steps)),
                ["hold", var store, var config] => Hold(store, config),
                ["checkpoint", var path, var floats, var start] => SaveCheckpoints(path, Int(floats), long.Parse(start, CultureInfo.InvariantCulture)),
                _ => Usage(),
            };
        }
        catch (Exception e)
        {
            Console.Error.WriteLine(e);
            return 1;
        }
    }

    static int Int(string s) => int.Parse(s, CultureInfo.InvariantCulture);

    static int Usage()
    {
        Console.Error.WriteLine("usage: StoreWriter runs STORE WRITER RUNS STEPS | checkpoint PATH FLOATS START");
        return 2;
    }

    /// <summary>Metric value written by writer <paramref name="w"/>, run <paramref name="r"/>, step <paramref name="s"/>.</summary>
    public static double Expected(int w, int r, long s, string name) =>
        w * 1e6 + r * 1e3 + s + (name == "loss" ? 0.25 : 0.5);

    static int WriteRuns(string storePath, int writer, int runs, int steps)
    {
        var began = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        using var store = RunStore.Open(storePath);
        for (var r = 0; r < runs; r++)
        {
            var id = store.StartRun(new RunInfo("multi", $"w{writer}-r{r}",
                $$"""{"writer": {{writer}}, "run": {{r}}}""", writer * 1000 + r));
            var batch = new List<MetricPoint>();
            for (long s = 0; s < steps; s++)
            {
                // Single inserts and batches interleave, as in a trainer logging loss per step and eval per epoch.
                store.LogMetric(id, s, "loss", Expected(writer, r, s, "loss"));
                batch.Add(new MetricPoint(s, "acc", Expected(writer, r, s, "acc")));
                if (batch.Count == 10)
                {
                    store.LogMetrics(id, batch);
                    batch.Clear();
                }
            }
            store.LogMetrics(id, batch);
            store.FinishRun(id, RunStatus.Finished, $"writer {writer}");
        }
        // wall-clock window of the writing, for scripts/bench_store.fsx
        Console.WriteLine($"window {began} {DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()}");
        Console.WriteLine("done");
        return 0;
    }

    /// <summary>The configuration of sweep task <paramref name="task"/> (the same for every writer).</summary>
    public static string TaskConfig(int task) => $$"""{"sweep": "t", "task": {{task}}}""";

    static int ClaimTasks(string storePath, int writer, int tasks, int steps)
    {
        using var store = RunStore.Open(storePath);
        var ran = 0;
        for (var t = 0; t < tasks; t++)
        {
            var start = store.BeginTask(new RunInfo("tasks", $"t{t}", TaskConfig(t), t));
            if (!start.MustRun) continue;
            for (long s = 0; s < steps; s++)
                store.LogMetric(start.Run.Id, s, "loss", Expected(0, t, s, "loss"));
            store.FinishRun(start.Run.Id, RunStatus.Finished, $"writer {writer}");
            ran++;
        }
        Console.WriteLine($"done {ran}");
        return 0;
    }

    static int Hold(string storePath, string config)
    {
        using var store = RunStore.Open(storePath);
        var start = store.BeginTask(new RunInfo("hold", "held", config, 1));
        store.LogMetric(start.Run.Id, 0, "loss", 1.0);
        Console.WriteLine($"started {start.Run.Id}");
        Console.Out.Flush();
        Thread.Sleep(Timeout.Infinite);
        return 0;
    }

    /// <summary>Value of element <paramref name="k"/> of the parameter tensor in checkpoint <paramref name="iteration"/>.</summary>
    public static float CheckpointValue(long iteration, int k) => iteration * 0.5f + k % 1000;

    static int SaveCheckpoints(string path, int floats, long start)
    {
        var data = new float[floats];
        var moment = new double[1000];
        for (var it = start; ; it++)
        {
            for (var k = 0; k < floats; k++) data[k] = CheckpointValue(it, k);
            for (var k = 0; k < moment.Length; k++) moment[k] = it + k;
            var checkpoint = new CheckpointData(
                Iteration: it,
                Parameters: [new StateBuffer("w", [floats], data)],
                OptimizerState: [new StateBuffer("w.m", [moment.Length], moment)],
                GeneratorState: [new StateBuffer("main", [2], new[] { it, -it })],
                Metadata: new Dictionary<string, string> { ["writer"] = "StoreWriter" });
            Checkpoint.Save(path, checkpoint);
            Console.WriteLine($"saved {it}");
            Console.Out.Flush();
        }
    }
}
