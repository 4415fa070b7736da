using System.CommandLine;

namespace InitLab.Cli;

/// <summary>Entry point of the <c>initlab</c> command: one sub-command per concern, parsed by System.CommandLine.</summary>
public static class Program
{
    /// <summary>The command tree: data, runs, train, sweep, export.</summary>
    public static RootCommand Root()
    {
        var root = new RootCommand("InitLab: train CNNs, record runs, run sweeps locally or on Slurm. Exit codes: 0 ok, 1 failure, 2 usage, 3 bad input file, 4 store unavailable, 5 scheduler unavailable (export onnx: 1 bad checkpoint, 3 a layer with no ONNX form, 4 output unwritable).");
        root.Subcommands.Add(DataCommand.Create());
        root.Subcommands.Add(RunsCommand.Create());
        root.Subcommands.Add(TrainCommandLine.Create());
        root.Subcommands.Add(SweepCommand.Create());
        root.Subcommands.Add(ExportCommand.Create());
        return root;
    }

    /// <summary>Parses and runs <paramref name="args"/>; returns the exit code (see <see cref="ExitCodes"/>).</summary>
    public static int Main(string[] args)
    {
        var result = Root().Parse(args);
        // the console as it is now: tests redirect it around each call
        var config = new InvocationConfiguration { Output = Console.Out, Error = Console.Error, EnableDefaultExceptionHandler = false };
        if (result.Errors.Count > 0)
        {
            // the library prints the errors, typo suggestions and help; usage errors exit with our code
            result.Invoke(config);
            return ExitCodes.Usage;
        }
        try
        {
            return result.Invoke(config);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            var (code, message) = ExitCodes.For(e);
            Console.Error.WriteLine($"initlab {CommandPath(result)}: {message}");
            return code;
        }
    }

    static string CommandPath(ParseResult result)
    {
        var names = new List<string>();
        for (var c = result.CommandResult; c is not null && c.Parent is not null; c = c.Parent as System.CommandLine.Parsing.CommandResult)
            names.Insert(0, c.Command.Name);
        return string.Join(' ', names);
    }
}
