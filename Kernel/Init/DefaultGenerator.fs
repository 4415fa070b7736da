namespace InitLab.Kernel.Init

open InitLab.Kernel

/// The generator layers draw their initial weights from when none is passed (like torch.manual_seed):
/// one per thread, seeded 0 until `ManualSeed` is called, so models built in the same order on the
/// same thread after the same seed are identical. Pass an explicit Generator where it matters.
[<AbstractClass; Sealed>]
type DefaultGenerator private () =
    [<System.ThreadStatic; DefaultValue>]
    static val mutable private current: Generator

    static member Current =
        if obj.ReferenceEquals(DefaultGenerator.current, null) then DefaultGenerator.current <- Generator(0)
        DefaultGenerator.current

    /// Restarts this thread's default stream from `seed`.
    static member ManualSeed(seed: int) = DefaultGenerator.current <- Generator(seed)
