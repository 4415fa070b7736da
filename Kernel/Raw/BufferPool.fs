namespace InitLab.Kernel

open System
open System.Collections.Generic

/// Recycles tensor buffers by exact length, so a training step reuses the arrays of the previous
/// step instead of allocating (large arrays would otherwise churn the large-object heap).
/// Buffers come back only through RawTensor release after backward (see Tensor.Backward).
type BufferPool<'T> private () =
    static let free = Dictionary<int, Stack<'T[]>>()
    static let gate = obj ()
    static let mutable pooledElements = 0L
    /// Above this many pooled elements per element type, released buffers are left to the GC.
    static member val Capacity = 256L * 1024L * 1024L with get, set

    /// An array of exactly `length` elements with UNSPECIFIED contents.
    static member Rent(length: int) : 'T[] =
        if length = 0 then Array.Empty<'T>()
        else
            let got =
                lock gate (fun () ->
                    match free.TryGetValue length with
                    | true, s when s.Count > 0 ->
                        pooledElements <- pooledElements - int64 length
                        s.Pop()
                    | _ -> null)
            if isNull got then GC.AllocateUninitializedArray<'T>(length) else got

    /// An array of exactly `length` zeros.
    static member RentZeroed(length: int) : 'T[] =
        let a = BufferPool<'T>.Rent length
        Array.Clear a
        a

    static member Return(a: 'T[]) =
        if a.Length > 0 then
            lock gate (fun () ->
                if pooledElements + int64 a.Length <= BufferPool<'T>.Capacity then
                    match free.TryGetValue a.Length with
                    | true, s -> s.Push a
                    | _ ->
                        let s = Stack()
                        s.Push a
                        free[a.Length] <- s
                    pooledElements <- pooledElements + int64 a.Length)

    static member Clear() =
        lock gate (fun () ->
            free.Clear()
            pooledElements <- 0L)
