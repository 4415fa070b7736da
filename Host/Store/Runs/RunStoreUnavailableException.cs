namespace InitLab.Store;

/// <summary>
/// The run store could not be reached or opened (server down, wrong credentials, no such database,
/// a path that is a directory). The message names the store without any password.
/// </summary>
public sealed class RunStoreUnavailableException : IOException
{
    /// <summary>The store as shown to users (a path, or a PostgreSQL URI without password).</summary>
    public string Store { get; }

    /// <summary>Creates the exception for <paramref name="store"/>.</summary>
    public RunStoreUnavailableException(string store, string message, Exception? inner = null)
        : base(message, inner) => Store = store;
}
