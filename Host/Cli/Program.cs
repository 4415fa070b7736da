namespace InitLab.Cli;

/// <summary>Entry point of the <c>initlab</c> command: one sub-command per concern.</summary>
public static class Program
{
    const string Usage = """
        usage: initlab <command> [options]

          data list | verify [--root DIR]   data sets found, counts, SHA-256 checks
          runs list [--store PATH] [--study S] | show ID
                                            runs recorded in the run store
          train [options]                   train a model (initlab train --help)
        """;

    public static int Main(string[] args)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            Console.WriteLine(Usage);
            return args.Length == 0 ? 2 : 0;
        }
        try
        {
            return args[0] switch
            {
                "data" => DataCommand.Run(args[1..]),
                "runs" => RunsCommand.Run(args[1..]),
                "train" => TrainCommand.Run(args[1..]),
                _ => Fail($"unknown command '{args[0]}'"),
            };
        }
        catch (ArgumentException e)
        {
            return Fail(e.Message);
        }
    }

    static int Fail(string message)
    {
        Console.Error.WriteLine($"initlab: {message}");
        Console.Error.WriteLine(Usage);
        return 2;
    }
}
