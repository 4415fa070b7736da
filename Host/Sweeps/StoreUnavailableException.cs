namespace InitLab.Sweeps;

/// <summary>The run store named by <c>--store</c> cannot be opened: unreachable, not a store, or a kind this build lacks.</summary>
public sealed class StoreUnavailableException : Exception
{
    /// <summary>The store as given (a connection string's password is masked).</summary>
    public string Store { get; }

    /// <summary>Creates the exception; the message names the store.</summary>
    public StoreUnavailableException(string store, string problem, Exception? inner = null)
        : base($"run store {store}: {problem}", inner) => Store = store;
}
