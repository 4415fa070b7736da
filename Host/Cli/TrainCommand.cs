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
    /// <summary>Runs the command with the options given (name without dashes → value); returns the process exit code.</summary>
    public static int Run(IReadOnlyDictionary<string, string> o)
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
        string solver = Solver(o);
        var options = new TrainingOptions
        {
            Iterations = Int(o, "iterations", 1000),
            BatchSize = Int(o, "batch", 64),
            DataSeed = Int(o, "data-seed", 1, min: 0),
            Threads = Int(o, "threads", Math.Min(2, Environment.ProcessorCount)),
            Scale = scale,
            TestInterval = Int(o, "test-interval", 0, min: 0),
            CheckpointInterval = Int(o, "checkpoint-interval", 0, min: 0),
            CheckpointPath = o.GetValueOrDefault("checkpoint"),
            Progress = o.ContainsKey("quiet") ? ProgressMode.Silent : ProgressMode.Auto,
            Label = $"{model}/{dataName}",
        };
        options.Validate();

        Module net = Models.Create(model, new Generator(seed), o.GetValueOrDefault("init"));
        var trainer = new Trainer(net, solver, options); // validates the solver before any data work is wasted
        var (train, test) = TaskData.Load(dataName, o.GetValueOrDefault("data-root"), o.ContainsKey("invert"), seed);

        string storePath = o.GetValueOrDefault("store") ?? Environment.GetEnvironmentVariable("INITLAB_STORE") ?? Path.Combine("runs", "initlab.db");
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(storePath))!);
        using var store = RunStore.Open(storePath);
        string config = System.Text.Json.JsonSerializer.Serialize(o.OrderBy(kv => kv.Key).ToDictionary(kv => kv.Key, kv => kv.Value));
        long run = store.StartRun(new RunInfo("cli", $"{model}-{dataName}", config, seed, train.Fingerprint, StudyRunner.CodeVersion()));
        try
        {
            var result = trainer.Run(train, test, store, run);
            store.FinishRun(run, RunStatus.Finished);
            var final = result.Final;
            Console.WriteLine($"run {run}: {result.Losses.Count} iterations in {result.Seconds:F1} s ({result.ImagesPerSecond:F0} img/s), "
                + $"final loss {(result.Losses.Count > 0 ? result.Losses[^1] : double.NaN):F4}"
                + (final is null ? "" : $", test accuracy {final.Accuracy:P2} on {final.Count} images"));
            return 0;
        }
        catch (NonFiniteLossException e)
        {
            store.FinishRun(run, RunStatus.Failed, e.Message);
            Console.Error.WriteLine($"initlab train: {e.Message}");
            return 1;
        }
    }

    /// The optimiser spec: --solver whole, or composed from --optimizer, --lr, --wd and --policy.
    static string Solver(IReadOnlyDictionary<string, string> o)
    {
        string[] parts = ["optimizer", "lr", "wd", "policy"];
        bool anyPart = parts.Any(o.ContainsKey);
        if (o.TryGetValue("solver", out var whole))
        {
            if (anyPart) throw new ArgumentException("give either --solver or its parts (--optimizer, --lr, --wd, --policy), not both");
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
