using System.CommandLine;

namespace InitLab.Cli;

/// <summary>The options of <c>initlab train</c>; the options given are handed to <see cref="TrainCommand.Run"/> by name.</summary>
public static class TrainCommandLine
{
    /// <summary>The <c>train</c> command.</summary>
    public static Command Create()
    {
        int threads = Math.Min(2, Environment.ProcessorCount);
        Option[] options =
        [
            Text("--model", $"Network, one of {string.Join(", ", InitLab.Kernel.Nn.Models.Names)}", "lenet5", "NAME"),
            Text("--data", "Training data: mnist, chars74k (stratified 80/20 split) or synthetic", "mnist", "NAME"),
            CliOptions.Flag("--invert", "Invert pixel polarity (paper 000 inverts MNIST)"),
            CliOptions.DataRoot(),
            new Option<string>("--init") { Description = "Weight initialiser, e.g. caffe-xavier, xavier, xavier-normal, msra, gaussian:0.01 (default: the model's own)", HelpName = "NAME" },
            new Option<string>("--solver") { Description = "Whole optimiser spec, e.g. \"sgd:0.9 lr=0.01 wd=5e-4 policy=inv:1e-4:0.75 bias_lr=2\", or caffe-lenet (default: caffe-lenet); or give its parts below", HelpName = "SPEC" },
            new Option<string>("--optimizer") { Description = "Update rule: sgd[:momentum], sgd-torch, nesterov, adagrad, rmsprop, adam, adamw (default: sgd:0.9 when any part is given)", HelpName = "RULE" },
            new Option<string>("--lr") { Description = "Base learning rate (default: the rule's own)", HelpName = "X" },
            new Option<string>("--wd") { Description = "L2 weight decay (default: 0)", HelpName = "X" },
            new Option<string>("--policy") { Description = "Learning-rate policy: fixed, inv:γ:power, step:γ:size, exp:γ, cosine:period, … (default: fixed)", HelpName = "P" },
            CliOptions.Int("--batch", "Mini-batch size", 64, 1),
            CliOptions.Int("--iterations", "Training iterations", 1000, 1),
            CliOptions.Int("--seed", "Initialisation seed", 1, 0),
            CliOptions.Int("--data-seed", "Shuffle seed", 1, 0),
            CliOptions.Int("--threads", "Kernel threads", threads, 1),
            Text("--scale", "Pixel scale: 256 (Caffe's 1/256) or 255", "256", "255|256"),
            CliOptions.Int("--test-interval", "Evaluate every N iterations (0: at the end)", 0, 0),
            new Option<string>("--checkpoint") { Description = "Checkpoint file; an existing one is resumed (default: none)", HelpName = "PATH" },
            CliOptions.Int("--checkpoint-interval", "Checkpoint every N iterations (0: at the end)", 0, 0),
            new Option<string>("--store") { Description = "Run store (default: $INITLAB_STORE, else runs/initlab.db)", HelpName = "PATH" },
            CliOptions.Flag("--allow-config-change", "Resume a checkpoint written under another config (lr, batch, data…); the change is recorded in the run"),
            CliOptions.Flag("--quiet", "No progress display"),
        ];
        var command = new Command("train", "Train a model, recorded in the run store");
        foreach (var o in options) command.Options.Add(o);
        command.SetAction(r =>
        {
            // only what the user gave: it is the run's recorded config, as before
            var given = new Dictionary<string, string>();
            foreach (var o in options)
                if (r.GetResult(o) is { Implicit: false } result)
                    given[o.Name.TrimStart('-')] = o is Option<bool> ? "true" : result.Tokens[^1].Value;
            return TrainCommand.Run(given);
        });
        return command;
    }

    static Option<string> Text(string name, string description, string fallback, string helpName) =>
        new(name) { Description = description, DefaultValueFactory = _ => fallback, HelpName = helpName };
}
