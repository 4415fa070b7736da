using System.Runtime.ExceptionServices;

namespace InitLab.Data;

/// <summary>Runs independent file reads in parallel and rethrows the first failure as itself (not an AggregateException).</summary>
internal static class ParallelRead
{
    public static void Run(int count, Action<int> body)
    {
        try
        {
            Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = Math.Min(4, Environment.ProcessorCount) }, body);
        }
        catch (AggregateException e) when (e.InnerExceptions.Count > 0)
        {
            // Prefer a format error over e.g. a cancellation so the caller sees the real cause.
            var first = e.InnerExceptions.FirstOrDefault(x => x is DataFormatException) ?? e.InnerExceptions[0];
            ExceptionDispatchInfo.Capture(first).Throw();
        }
    }
}
