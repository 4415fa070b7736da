using System.Globalization;
using InitLab.Data;
using InitLab.Kernel;
using InitLab.Kernel.Nn;
using InitLab.Store;
using InitLab.Studies;
using InitLab.Sweeps;
using InitLab.Training;

namespace InitLab.Cli;

/// <summary><c>initlab train</c>: one training run from the command line, recorded in the run store.</summary>
public static class TrainCommand
{
    /// <summary>Options that do not change the weights: left out of the run's config (and so of its hash).</summary>
    static readonly HashSet<string> Operational = ["quiet", "store", "data-root"];

    /// <summary>Also left out of the config a checkpoint must match on resume: the cap may grow, the schedule of side work may change.</summary>
    static readonly HashSet<string> FreeOnResume = ["iterations", "threads", "checkpoint", "checkpoint-interval", "test-interval", "allow-config-change"];

    /// <summary>
    /// Runs the command with the options given (name without dashes → value); returns the process exit code.
    /// The run is begun through <see cref="RunStore.BeginTask"/> by its config hash: a finished config is not
    /// trained again, an interrupted or failed one continues its own row; the row ends finished, failed (with
    /// the reason) or interrupted (Ctrl-C, SIGTERM, <paramref name="cancel"/>).
    /// </summary>
    public static int Run(IReadOnlyDictionary<string, string> o, CancellationToken cancel = default)
    {
        string model = o.GetValueOrDefault("model", "lenet5");
        string dataName = o.GetValueOrDefault("data", "mnist");
        if (!Models.Names.Contains(model)) throw new ArgumentException($"--model '{model}' is not one of {string.Join(", ", Models.Names)}");
        if (dataName is not ("mnist" or "chars74k" or "synthetic")) throw new ArgumentException($"--data '{dataName}' is not one of mnist, chars74k, synthetic");
        var scale = o.GetValueOrDefault("scale", "256") switch
        {
            "256" => PixelScale.Caffe256,
            "255" => PixelScale.Unit255,
            var s => throw new ArgumentException($"--scale '{s}' is not 255 or 256"),
        };
        int seed = Int(o, "seed", 1, min: 0);
        if (o.TryGetValue("lr", out var lrText)) PositiveRate("--lr", lrText);
        string solver = Solver(o);
        string? checkpoint = o.GetValueOrDefault("checkpoint");
        if (checkpoint is not null) CheckCheckpointPath(checkpoint);
        var config = o.Where(kv => !Operational.Contains(kv.Key)).ToDictionary(kv => kv.Key, kv => kv.Value);
        var options = new TrainingOptions
        {
            Iterations = Int(o, "iterations", 1000),
            BatchSize = Int(o, "batch", 64),
            DataSeed = Int(o, "data-seed", 1, min: 0),
            Threads = Int(o, "threads", Math.Min(2, Environment.ProcessorCount)),
            Scale = scale,
            TestInterval = Int(o, "test-interval", 0, min: 0),
            CheckpointInterval = Int(o, "checkpoint-interval", 0, min: 0),
            CheckpointPath = checkpoint,
            Progress = o.ContainsKey("quiet") ? ProgressMode.Silent : ProgressMode.Auto,
            Label = $"{model}/{dataName}",
            RunConfig = config.Where(kv => !FreeOnResume.Contains(kv.Key)).ToDictionary(kv => kv.Key, kv => kv.Value),
            AllowConfigChange = o.ContainsKey("allow-config-change"),
        };
        options.Validate();

        Module net = Models.Create(model, new Generator(seed), o.GetValueOrDefault("init"));
        var trainer = new Trainer(net, solver, options); // validates the solver before any data work is wasted
        var (train, test) = TaskData.Load(dataName, o.GetValueOrDefault("data-root"), o.ContainsKey("invert"), seed);
        if (options.BatchSize > train.Count)
            throw new ArgumentException($"--batch {options.BatchSize} is larger than the training set '{train.Name}' ({train.Count} images)");

        string storePath = o.GetValueOrDefault("store") ?? Environment.GetEnvironmentVariable("INITLAB_STORE") ?? Path.Combine("runs", "initlab.db");
        using var store = OpenStore(storePath);
        string configJson = System.Text.Json.JsonSerializer.Serialize(config.OrderBy(kv => kv.Key, StringComparer.Ordinal).ToDictionary(kv => kv.Key, kv => kv.Value));
        var begun = store.BeginTask(new RunInfo("cli", $"{model}-{dataName}", configJson, seed, train.Fingerprint, StudyRunner.CodeVersion()));
        long run = begun.Run.Id;
        switch (begun.Outcome)
        {
            case TaskStartOutcome.AlreadyFinished:
                Console.WriteLine($"run {run} of this config has already finished (on {begun.Run.Ended:u}); nothing to train. See: initlab runs show {run}");
                return ExitCodes.Ok;
            case TaskStartOutcome.Busy:
                throw new InvalidOperationException(
                    $"run {run} of this config is being trained now by process {begun.Run.Owner?.Pid} on {begun.Run.Owner?.Host}; wait for it or stop it first");
            case TaskStartOutcome.Resumed:
                Console.Error.WriteLine($"initlab train: continuing run {run} (it was {begun.PreviousStatus?.ToString().ToLowerInvariant()}; attempt {begun.Run.Attempts})");
                break;
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        ConsoleCancelEventHandler onCtrlC = (_, e) => { e.Cancel = true; stop.Cancel(); };
        Console.CancelKeyPress += onCtrlC;
        using var onTerm = System.Runtime.InteropServices.PosixSignalRegistration.Create(
            System.Runtime.InteropServices.PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
        try
        {
            TrainingResult result;
            using (store.KeepAlive(run))
                result = trainer.Run(train, test, store, run, stop.Token);
            store.FinishRun(run, RunStatus.Finished, result.ConfigChange is null ? null
                : $"resumed at iteration {result.ResumedFrom} under a changed config (--allow-config-change): {result.ConfigChange}");
            var final = result.Final;
            Console.WriteLine($"run {run}: {result.Losses.Count} iterations in {result.Seconds:F1} s ({result.ImagesPerSecond:F0} img/s), "
                + $"final loss {(result.Losses.Count > 0 ? result.Losses[^1] : double.NaN):F4}"
                + (final is null ? "" : $", test accuracy {final.Accuracy:P2} on {final.Count} images"));
            return ExitCodes.Ok;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            End(store, run, RunStatus.Interrupted, "interrupted by a signal (Ctrl-C or SIGTERM); rerun the same command to continue from its checkpoint");
            Console.Error.WriteLine($"initlab train: run {run} interrupted; rerun the same command to continue it");
            return ExitCodes.Interrupted;
        }
        catch (NonFiniteLossException e)
        {
            End(store, run, RunStatus.Failed, e.Message);
            Console.Error.WriteLine($"initlab train: run {run} failed: {e.Message}");
            return ExitCodes.Failure;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // recorded with the one line the command prints for it, then reported by Program
            End(store, run, RunStatus.Failed, ExitCodes.For(e).Message);
            throw;
        }
        finally
        {
            Console.CancelKeyPress -= onCtrlC;
        }
    }

    /// Ends the run; a store that fails now must not hide the error that ended it.
    static void End(RunStore store, long run, RunStatus status, string message)
    {
        try
        {
            store.FinishRun(run, status, message);
        }
        catch (Exception e) when (e is InvalidOperationException or System.Data.Common.DbException or IOException)
        {
            Console.Error.WriteLine($"initlab train: run {run} could not be marked {status.ToString().ToLowerInvariant()} in the store: {e.Message}");
        }
    }

    /// Opens the store; anything that is not a usable store is reported as such, naming it.
    static RunStore OpenStore(string path)
    {
        try
        {
            if (!RunStore.IsPostgresLocation(path))
            {
                if (Directory.Exists(path)) throw new RunStoreUnavailableException(path, $"{path}: the run store path is a directory, not a database file");
                Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            }
            return RunStore.Open(path);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException or System.Data.Common.DbException
                                  && e is not RunStoreUnavailableException)
        {
            bool named = e.Message.Contains(path, StringComparison.Ordinal) || e.Message.Contains(Path.GetFullPath(path), StringComparison.Ordinal);
            throw new RunStoreUnavailableException(path, named ? e.Message : $"run store {path}: {e.Message}", e);
        }
    }

    /// Refuses a checkpoint path that cannot be a file this process writes, before any training is wasted.
    static void CheckCheckpointPath(string path)
    {
        if (Directory.Exists(path)) throw new ArgumentException($"--checkpoint {path} is a directory, not a file");
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full)!;
        try
        {
            Directory.CreateDirectory(dir);
            var probe = Path.Combine(dir, $".{Path.GetFileName(full)}.probe-{Environment.ProcessId}");
            using (File.Create(probe, 1, FileOptions.DeleteOnClose)) { }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ArgumentException($"--checkpoint {path}: its folder {dir} cannot be written ({e.Message})");
        }
    }

    /// A learning rate must be a finite number above zero.
    static double PositiveRate(string option, string text)
    {
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || !double.IsFinite(v) || v <= 0)
            throw new ArgumentException($"{option} must be a finite number > 0, got '{text}'");
        return v;
    }

    /// The optimiser spec: --solver whole, or composed from --optimizer, --lr, --wd and --policy.
    static string Solver(IReadOnlyDictionary<string, string> o)
    {
        string[] parts = ["optimizer", "lr", "wd", "policy"];
        bool anyPart = parts.Any(o.ContainsKey);
        if (o.TryGetValue("solver", out var whole))
        {
            if (anyPart) throw new ArgumentException("give either --solver or its parts (--optimizer, --lr, --wd, --policy), not both");
            foreach (var part in whole.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                if (part.StartsWith("lr=", StringComparison.Ordinal)) PositiveRate("--solver lr", part[3..]);
            return whole;
        }
        if (!anyPart) return "caffe-lenet";
        var spec = o.GetValueOrDefault("optimizer", "sgd:0.9");
        if (o.TryGetValue("lr", out var lr)) spec += $" lr={lr}";
        if (o.TryGetValue("wd", out var wd)) spec += $" wd={wd}";
        if (o.TryGetValue("policy", out var policy)) spec += $" policy={policy}";
        return spec;
    }

    static int Int(IReadOnlyDictionary<string, string> o, string key, int fallback, int min = 1)
    {
        if (!o.TryGetValue(key, out var s)) return fallback;
        if (!int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) || v < min)
            throw new ArgumentException($"--{key} must be a whole number ≥ {min}, got '{s}'");
        return v;
    }
}
