namespace InitLab.Kernel.Raw

open System
open System.Threading

/// Holds the process-wide worker count (kept in a module so the public type can be a static class).
module internal ThreadState =
    let mutable count = max 1 (min 2 Environment.ProcessorCount)
    /// A count set by `Threads.Use` for the current flow of execution (0: none, use `count`).
    /// AsyncLocal, not ThreadStatic, so a scope survives an `await` that resumes on another thread.
    let scoped = AsyncLocal<int>()

    /// One parallel operation: Run(w) does worker w's fixed share. Operations keep one cached Job
    /// per calling thread and refill its fields per call, so dispatch allocates nothing.
    [<AbstractClass; AllowNullLiteral>]
    type Job() =
        abstract Run : worker: int -> unit

    /// Adapter for closures (small, infrequent operations).
    [<Sealed>]
    type private FuncJob(body: int -> unit) =
        inherit Job()
        override _.Run(w) = body w

    /// Dedicated worker threads (index 1 .. n-1; index 0 is always the caller). A call owns the
    /// whole pool while it runs; a concurrent call (another model on another thread) finds it busy
    /// and runs its indices serially itself, which gives the same bits because each index is a fixed
    /// piece of work.
    type private Pool() =
        let gate = obj ()
        let mutable go : SemaphoreSlim[] = [||]
        let mutable body : Job = null
        let mutable pending = 0
        let mutable failure : exn = null

        member private this.Loop(i: int) =
            while true do
                go.[i].Wait()
                try
                    try body.Run i
                    with e -> Interlocked.CompareExchange(&failure, e, null) |> ignore
                finally
                    Interlocked.Decrement(&pending) |> ignore

        member private this.Ensure(workers: int) =
            if go.Length < workers then
                let old = go
                go <- Array.init workers (fun i -> if i < old.Length then old.[i] else new SemaphoreSlim(0))
                for i in max 1 old.Length .. workers - 1 do
                    let t = Thread((fun () -> this.Loop i), 256 * 1024)
                    t.IsBackground <- true
                    t.Name <- sprintf "InitLab.Raw worker %d" i
                    t.Start()

        member this.Run(workers: int, f: Job) =
            if Monitor.TryEnter gate then
                try
                    this.Ensure workers
                    body <- f
                    failure <- null
                    Volatile.Write(&pending, workers - 1)
                    for i in 1 .. workers - 1 do go.[i].Release() |> ignore
                    let mutable own : exn = null
                    try f.Run 0 with e -> own <- e
                    let mutable spin = SpinWait()
                    while Volatile.Read(&pending) <> 0 do spin.SpinOnce(-1)
                    body <- null
                    if not (isNull own) then raise own
                    if not (isNull failure) then raise failure
                finally
                    Monitor.Exit gate
            else
                for i in 0 .. workers - 1 do f.Run i

    let private pool = Pool()

    /// Runs body(w) for w = 0 .. workers-1. Each index is a fixed piece of work chosen by the caller,
    /// so the result does not depend on which OS thread runs which index.
    let run (workers: int) (body: int -> unit) =
        if workers <= 1 then body 0
        else pool.Run(workers, FuncJob(body))

    /// Runs job.Run(w) for w = 0 .. workers-1 (same contract as run, no allocation).
    let runJob (workers: int) (job: Job) =
        if workers <= 1 then job.Run 0
        else pool.Run(workers, job)

    /// Start of part `i` when `total` items are cut into `parts` ranges whose boundaries are multiples
    /// of `align` (the last range takes the remainder).
    let splitStart (total: int) (parts: int) (align: int) (i: int) =
        if i >= parts then total
        else
            let units = (total + align - 1) / align
            let s = (int64 units * int64 i / int64 parts) |> int
            min total (s * align)

/// Worker count used by all raw kernels; default min(2, Environment.ProcessorCount). Work is split
/// statically (fixed ranges per worker, fixed reduction order) so results are bit-identical run to
/// run for a given thread count. GEMM, convolution forward/input-gradient and pooling results do not
/// even depend on the count; convolution weight/bias gradients do (per-worker partial sums).
[<AbstractClass; Sealed>]
type Threads =
    static member private Check(v: int) =
        if v < 1 || v > 256 then
            invalidArg "value" (sprintf "Threads.Count must be between 1 and 256, got %d" v)

    /// Number of workers the raw kernels use (1 .. 256): the innermost `Use` scope's count on this
    /// flow of execution, else the process-wide default that the setter changes.
    static member Count
        with get () =
            let s = ThreadState.scoped.Value
            if s > 0 then s else ThreadState.count
        and set (v: int) =
            Threads.Check v
            ThreadState.count <- v

    /// Runs the kernels called on this flow of execution (this thread and the tasks it starts) with
    /// `count` workers until the returned scope is disposed, which restores the previous count.
    /// Other threads keep theirs, so two trainers with different counts do not disturb each other.
    static member Use(count: int) : IDisposable =
        Threads.Check count
        let previous = ThreadState.scoped.Value
        ThreadState.scoped.Value <- count
        let mutable disposed = false
        { new IDisposable with
            member _.Dispose() =
                if not disposed then
                    disposed <- true
                    ThreadState.scoped.Value <- previous }
