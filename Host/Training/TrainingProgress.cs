using System.Diagnostics;
using Spectre.Console;

namespace InitLab.Training;

/// <summary>
/// Shows iteration, loss, accuracy, images per second and time left: a live Spectre.Console bar on a
/// terminal, or a plain line every few seconds when output is redirected (CI logs stay readable).
/// </summary>
sealed class TrainingProgress : IDisposable
{
    readonly string label;
    readonly int total;
    readonly int batchSize;
    readonly bool live;
    readonly bool silent;
    readonly Stopwatch clock = Stopwatch.StartNew();
    readonly int startIteration;
    ProgressTask? task;
    Task? liveLoop;
    readonly CancellationTokenSource stop = new();
    readonly object gate = new();
    TimeSpan lastLine = TimeSpan.Zero;
    (int Iteration, double Loss, double? Accuracy, TimeSpan Elapsed) latest;

    public TrainingProgress(string label, int startIteration, int total, int batchSize, ProgressMode mode)
    {
        this.label = label;
        this.total = total;
        this.batchSize = batchSize;
        this.startIteration = startIteration;
        latest = (startIteration, double.NaN, null, TimeSpan.Zero);
        silent = mode == ProgressMode.Silent;
        live = mode == ProgressMode.Auto && !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;
        if (live)
        {
            var ready = new ManualResetEventSlim();
            liveLoop = Task.Run(() => AnsiConsole.Progress()
                .AutoClear(false)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                .Start(ctx =>
                {
                    task = ctx.AddTask(Markup.Escape(label), maxValue: total);
                    task.Value = startIteration;
                    ready.Set();
                    while (!stop.IsCancellationRequested)
                    {
                        task.Description = Markup.Escape(Status());
                        ctx.Refresh();
                        Thread.Sleep(200);
                    }
                    task.Description = Markup.Escape(Status());
                    ctx.Refresh();
                }));
            ready.Wait();
        }
    }

    public void Report(int iteration, double loss, double? accuracy)
    {
        if (silent) return;
        var elapsed = clock.Elapsed;
        if (live)
        {
            // the refresh loop formats the latest figures five times a second, not every iteration
            lock (gate) latest = (iteration, loss, accuracy ?? latest.Accuracy, elapsed);
        }
        else if (elapsed - lastLine >= TimeSpan.FromSeconds(5) || iteration == total || accuracy is not null)
        {
            lastLine = elapsed;
            Console.WriteLine($"[{label}] {Describe(iteration, loss, accuracy, elapsed)}");
        }
    }

    string Describe(int iteration, double loss, double? accuracy, TimeSpan elapsed)
    {
        int done = iteration - startIteration;
        double ips = done * batchSize / Math.Max(elapsed.TotalSeconds, 1e-9);
        var eta = done > 0 ? TimeSpan.FromSeconds(elapsed.TotalSeconds / done * (total - iteration)) : TimeSpan.Zero;
        string acc = accuracy is double a ? $" acc {a:P2}" : "";
        return $"it {iteration}/{total} loss {loss:F4}{acc} {ips:F0} img/s eta {eta:mm\\:ss}";
    }

    /// The description shown beside the live bar, from the latest figures.
    string Status()
    {
        lock (gate)
        {
            if (task is not null) task.Value = latest.Iteration;
            return latest.Iteration == startIteration ? label : $"{label} {Describe(latest.Iteration, latest.Loss, latest.Accuracy, latest.Elapsed)}";
        }
    }

    public void Dispose()
    {
        stop.Cancel();
        liveLoop?.Wait();
        stop.Dispose();
    }
}
