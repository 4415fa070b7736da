namespace InitLab.Cli;

/// <summary>Entry point of the <c>initlab</c> command.</summary>
public static class Program
{
    public static int Main(string[] args)
    {
        Console.WriteLine("initlab: commands arrive with the Host issues.");
        return 0;
    }
}
