using System.CommandLine;
using InitLab.Export.Onnx;
using InitLab.Kernel.Nn;
using InitLab.Store;

namespace InitLab.Cli;

/// <summary>
/// <c>initlab export onnx --checkpoint FILE --out FILE</c>: a checkpoint's network as an ONNX model.
/// The logic is <see cref="CheckpointOnnxExport"/>; this class only declares the options and maps failures
/// to the documented exit codes (<see cref="ExitCodes"/>).
/// </summary>
public static class ExportCommand
{
    /// <summary>Exit codes of <c>export onnx</c>: written; the checkpoint or run store is unreadable or fits no network;
    /// bad usage; a layer has no ONNX form; the output cannot be written.</summary>
    public const int Ok = ExitCodes.Ok, BadCheckpoint = ExitCodes.Failure, Usage = ExitCodes.Usage,
        UnsupportedLayer = ExitCodes.ExportUnsupportedLayer, Unwritable = ExitCodes.ExportUnwritable;

    /// <summary>The <c>export</c> command and its <c>onnx</c> verb.</summary>
    public static Command Create()
    {
        var export = new Command("export", "Export a trained network to another format");
        var checkpoint = new Option<string>("--checkpoint") { Description = "Training checkpoint (safetensors, written by initlab train --checkpoint) (required)", HelpName = "FILE", Required = true };
        var output = new Option<string>("--out") { Description = "ONNX model to write, atomically: an existing file is replaced only when complete (required)", HelpName = "FILE", Required = true };
        var model = new Option<string>("--model") { Description = $"Network of the checkpoint: {string.Join(", ", Models.Names)} (default: the one its parameters fit)", HelpName = "NAME" };
        model.AcceptOnlyFromAmong(Models.Names);
        var softmax = CliOptions.Flag("--softmax", "Append a Softmax: the output holds probabilities, not scores");
        var run = new Option<long?>("--run") { Description = "Training run whose id, config hash and data fingerprint go in the model's metadata, read from --store (default: none)", HelpName = "ID" };
        run.Validators.Add(r =>
        {
            if (r.Tokens.Count > 0 && r.GetValueOrDefault<long?>() is < 0) r.AddError($"--run must be a non-negative integer, got '{r.Tokens[^1].Value}'");
        });
        var store = CliOptions.Store();
        var onnx = new Command("onnx",
            "Write a checkpoint's network as an ONNX model. Exit codes: 0 written; 1 checkpoint or run store unreadable, foreign, missing or fitting no network; 2 usage; 3 a layer has no ONNX form; 4 the output cannot be written")
            { checkpoint, output, model, softmax, run, store };
        onnx.SetAction(r => Execute(r.GetValue(checkpoint)!, r.GetValue(output)!, r.GetValue(model), r.GetValue(softmax), r.GetValue(run),
            r.GetValue(run) is null ? null : CliOptions.StoreValue(r, store)));
        export.Subcommands.Add(onnx);
        return export;
    }

    /// <summary>Runs <c>initlab export …</c>; <paramref name="args"/> are the words after <c>initlab</c> (a missing leading "export" is added).</summary>
    public static int Run(string[] args) =>
        Program.Main(args.Length > 0 && args[0] == "export" ? args : ["export", .. args]);

    /// <summary>
    /// The command once its options are read: exports and prints one line, or prints the error; returns the exit code.
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
        catch (Exception e) when (e is CheckpointFormatException or InvalidDataException or FileNotFoundException or RunStoreUnavailableException or Sweeps.StoreUnavailableException)
        {
            return Error(e.Message, BadCheckpoint);
        }
        catch (IOException e) { return Error(e.Message, Unwritable); }
    }

    static RunRecord ReadRun(long id, string? storePath)
    {
        var location = storePath ?? CliOptions.DefaultStore();
        if (!RunStore.IsPostgresLocation(location) && !File.Exists(location))
            throw new InvalidDataException($"no run store at '{Path.GetFullPath(location)}' (use --store PATH|CONNECTION or set INITLAB_STORE)");
        using var store = Sweeps.SweepStores.Open(location);
        return store.GetRun(id) ?? throw new InvalidDataException($"run store '{store.Path}' has no run {id}");
    }

    static int Error(string message, int code)
    {
        Console.Error.WriteLine($"initlab export: {message}");
        return code;
    }
}
