using System.Globalization;
using InitLab.Export.Onnx;
using InitLab.Store;

namespace InitLab.Cli;

/// <summary>
/// <c>initlab export onnx --checkpoint FILE --out FILE</c>: a checkpoint's network as an ONNX model.
/// The logic is <see cref="CheckpointOnnxExport"/>; this class only reads the words and maps failures
/// to the documented exit codes.
/// </summary>
public static class ExportCommand
{
    /// <summary>Exit codes: written; the checkpoint or run store is unreadable or fits no network;
    /// bad usage; a layer has no ONNX form; the output cannot be written.</summary>
    public const int Ok = 0, BadCheckpoint = 1, Usage = 2, UnsupportedLayer = 3, Unwritable = 4;

    const string Help = """
        usage: initlab export onnx --checkpoint FILE --out FILE [options]

          --checkpoint FILE      training checkpoint (safetensors, written by initlab train --checkpoint)
          --out FILE             ONNX model to write (atomically: an existing file is replaced only when complete)
          --model lenet5|twolayer
                                 network of the checkpoint (default: the one its parameters fit)
          --softmax              append a Softmax: the output holds probabilities, not scores
          --run ID               training run whose id, config hash and data fingerprint go in the
                                 model's metadata (read from --store, default INITLAB_STORE or runs/initlab.db)
          --store PATH           run store for --run

        exit codes: 0 written; 1 checkpoint or run store unreadable, foreign or fitting no network;
                    2 bad usage; 3 a layer has no ONNX form; 4 the output cannot be written
        """;

    /// <summary>Runs the command; <paramref name="args"/> are the words after <c>export</c> (a leading "export" is skipped).</summary>
    public static int Run(string[] args)
    {
        var words = args.Length > 0 && args[0] == "export" ? args[1..] : args;
        if (words.Length == 0 || words[0] is "-h" or "--help" or "help") return Print(Help, words.Length == 0 ? Usage : Ok);
        if (words[0] != "onnx") return Error($"unknown export format '{words[0]}' (known: onnx)", Usage);
        var o = new Dictionary<string, string>(StringComparer.Ordinal);
        bool softmax = false;
        for (int i = 1; i < words.Length; i++)
        {
            switch (words[i])
            {
                case "-h" or "--help": return Print(Help, Ok);
                case "--softmax": softmax = true; break;
                case "--checkpoint" or "--out" or "--model" or "--run" or "--store" when i + 1 < words.Length:
                    o[words[i][2..]] = words[++i]; break;
                case "--checkpoint" or "--out" or "--model" or "--run" or "--store":
                    return Error($"{words[i]} needs a value", Usage);
                default: return Error($"unknown option '{words[i]}'", Usage);
            }
        }
        if (!o.TryGetValue("checkpoint", out var checkpoint)) return Error("--checkpoint FILE is required", Usage);
        if (!o.TryGetValue("out", out var output)) return Error("--out FILE is required", Usage);
        long? run = null;
        if (o.TryGetValue("run", out var runText))
        {
            if (!long.TryParse(runText, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
                return Error($"--run must be a non-negative integer, got '{runText}'", Usage);
            run = id;
        }
        return Execute(checkpoint, output, o.GetValueOrDefault("model"), softmax, run, o.GetValueOrDefault("store"));
    }

    /// <summary>
    /// The command once its options are read (what a System.CommandLine handler calls): exports and
    /// prints one line, or prints the error; returns the exit code.
    /// </summary>
    public static int Execute(string checkpoint, string output, string? model = null, bool softmax = false, long? runId = null, string? storePath = null)
    {
        try
        {
            var run = runId is long id ? ReadRun(id, storePath) : null;
            var r = CheckpointOnnxExport.Export(checkpoint, output, model, run, new OnnxExportOptions { Softmax = softmax });
            Console.WriteLine($"wrote {r.Path}: {r.Bytes:N0} bytes, opset {r.Opset}, {r.Parameters:N0} parameters, ops {string.Join(" ", r.Operators)}");
            return Ok;
        }
        catch (ArgumentException e) { return Error(e.Message, Usage); }
        catch (UnsupportedLayerException e) { return Error(e.Message, UnsupportedLayer); }
        catch (Exception e) when (e is CheckpointFormatException or InvalidDataException or FileNotFoundException) { return Error(e.Message, BadCheckpoint); }
        catch (IOException e) { return Error(e.Message, Unwritable); }
    }

    static RunRecord ReadRun(long id, string? storePath)
    {
        var path = storePath ?? Environment.GetEnvironmentVariable("INITLAB_STORE") ?? Path.Combine("runs", "initlab.db");
        if (!File.Exists(path)) throw new InvalidDataException($"no run store at '{Path.GetFullPath(path)}' (use --store PATH or set INITLAB_STORE)");
        using var store = RunStore.Open(path);
        return store.GetRun(id) ?? throw new InvalidDataException($"run store '{path}' has no run {id}");
    }

    static int Print(string text, int code)
    {
        Console.WriteLine(text);
        return code;
    }

    static int Error(string message, int code)
    {
        Console.Error.WriteLine($"initlab export: {message}");
        return code;
    }
}
