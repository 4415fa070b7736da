namespace InitLab.Kernel

open System

/// The kernels' worker count as callers set it: a scope, not a global. Results are bit-identical for a
/// given count (static work split, fixed reduction order).
[<AbstractClass; Sealed>]
type Threads =
    /// The count the kernels use now on this flow of execution.
    static member Count = Raw.Threads.Count

    /// `using (Threads.Use(2)) { … }`: kernels called in the scope (this thread and the tasks it starts)
    /// use `count` workers (1 .. 256); disposing restores the previous count. Other threads keep theirs.
    static member Use(count: int) : IDisposable = Raw.Threads.Use count
