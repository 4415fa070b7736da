using System.Globalization;
using InitLab.Data;
using InitLab.Kernel;
using InitLab.Kernel.Nn;
using InitLab.Store;
using InitLab.Studies;
using InitLab.Training;

namespace InitLab.Cli;

/// <summary><c>initlab train</c>: one training run from the command line, recorded in the run store.</summary>
public static class TrainCommand
{
    const string Help = """
        usage: initlab train [options]

          --model lenet5|twolayer        network (default lenet5: Caffe's LeNet-5)
          --data mnist|chars74k|synthetic
                                         training data (default mnist; chars74k uses a stratified 80/20 split)
          --invert                       invert pixel polarity (paper 000 inverts MNIST)
          --data-root DIR                data root (else INITLAB_DATA, user cache, download, synthetic)
          --init NAME                    weight initialiser, e.g. caffe-xavier, xavier, xavier-normal, msra,
                                         gaussian:0.01 (default: the model's own)
          --solver SPEC                  whole optimiser spec, e.g. "sgd:0.9 lr=0.01 wd=5e-4 policy=inv:1e-4:0.75 bias_lr=2"
                                         or caffe-lenet (default caffe-lenet); or give its parts:
          --optimizer RULE               sgd[:momentum], sgd-torch, nesterov, adagrad, rmsprop, adam, adamw
          --lr X  --wd X                 base learning rate, L2 weight decay
          --policy P                     learning-rate policy: fixed, inv:γ:power, step:γ:size, exp:γ, cosine:period, …
          --batch N                      mini-batch size (default 64)
          --iterations N                 training iterations (default 1000)
          --seed N                       initialisation seed (default 1)
          --data-seed N                  shuffle seed (default 1)
          --threads N                    kernel threads (default 2)
          --scale 255|256                pixel scale 1/255 or Caffe's 1/256 (default 256)
          --test-interval N              evaluate every N iterations (default: at the end)
          --checkpoint PATH              checkpoint file; an existing one is resumed
          --checkpoint-interval N        checkpoint every N iterations
          --store PATH                   run store (default INITLAB_STORE or runs/initlab.db)
          --quiet                        no progress display
        """;

    /// <summary>Runs the command; returns the process exit code.</summary>
    public static int Run(string[] args)
    {
        if (args.Contains("--help") || args.Contains("-h"))
        {
            Console.WriteLine(Help);
            return 0;
        }
        var o = Parse(args);
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
        var (train, test) = LoadData(dataName, o.GetValueOrDefault("data-root"), o.ContainsKey("invert"), seed);

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

    static (DataSet Train, DataSet Test) LoadData(string name, string? explicitRoot, bool invert, int seed)
    {
        (DataSet, DataSet) pair;
        if (name == "synthetic")
        {
            pair = (SyntheticDigits.Generate(6000, seed), SyntheticDigits.Generate(1000, seed + 1_000_003));
        }
        else
        {
            var resolution = DataRoot.Resolve(new DataRootOptions { ExplicitRoot = explicitRoot, DataSets = [name == "chars74k" ? "chars74k-hnd" : name], Warnings = Console.Error });
            if (resolution.Root is null)
                throw new ArgumentException($"no data root holds {name}; pass --data-root DIR or set INITLAB_DATA");
            if (name == "mnist")
            {
                var m = Mnist.Load(resolution.Root);
                pair = (m.Train, m.Test);
            }
            else
            {
                var chars = Chars74K.Load(resolution.Root, new Chars74KOptions { DigitsOnly = true });
                int trainCount = (int)Math.Round(chars.Count * 0.8);
                var split = Splits.TrainValidationTest(chars, trainCount, 0, chars.Count - trainCount, seed, stratified: true);
                pair = (split.Train, split.Test);
            }
        }
        return invert ? (PixelTransforms.Invert(pair.Item1), PixelTransforms.Invert(pair.Item2)) : pair;
    }

    /// The optimiser spec: --solver whole, or composed from --optimizer, --lr, --wd and --policy.
    static string Solver(Dictionary<string, string> o)
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

    static Dictionary<string, string> Parse(string[] args)
    {
        var known = new HashSet<string> { "model", "data", "invert", "data-root", "init", "solver", "optimizer", "lr", "wd", "policy", "batch", "iterations", "seed",
            "data-seed", "threads", "scale", "test-interval", "checkpoint", "checkpoint-interval", "store", "quiet" };
        var flags = new HashSet<string> { "invert", "quiet" };
        var o = new Dictionary<string, string>();
        for (int i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--")) throw new ArgumentException($"unexpected argument '{args[i]}'");
            string key = args[i][2..];
            if (!known.Contains(key)) throw new ArgumentException($"unknown option '--{key}' (initlab train --help)");
            if (flags.Contains(key)) { o[key] = "true"; continue; }
            if (i + 1 >= args.Length) throw new ArgumentException($"option '--{key}' needs a value");
            o[key] = args[++i];
        }
        return o;
    }

    static int Int(Dictionary<string, string> o, string key, int fallback, int min = 1)
    {
        if (!o.TryGetValue(key, out var s)) return fallback;
        if (!int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) || v < min)
            throw new ArgumentException($"--{key} must be a whole number ≥ {min}, got '{s}'");
        return v;
    }
}
