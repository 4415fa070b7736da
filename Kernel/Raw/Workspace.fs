namespace InitLab.Kernel.Raw

open System
open Microsoft.FSharp.NativeInterop

#nowarn "9"

/// Growable scratch arrays owned by one worker of one calling thread. float32 arrays are pinned and
/// carry 16 spare elements so a 64-byte aligned pointer can be taken inside them.
[<Sealed; AllowNullLiteral>]
type internal Scratch() =
    let f32 : float32[][] = Array.zeroCreate 8
    let f64 : float[][] = Array.zeroCreate 8

    /// A pinned float32 array with room for `len` elements after 64-byte alignment.
    member _.F32(slot: int, len: int) : float32[] =
        let cur = f32.[slot]
        if isNull cur || cur.Length < len + 16 then
            let a = GC.AllocateArray<float32>(max 64 (len + len / 4 + 16), true)
            f32.[slot] <- a
            a
        else cur

    /// A float array with at least `len` elements.
    member _.F64(slot: int, len: int) : float[] =
        let cur = f64.[slot]
        if isNull cur || cur.Length < len then
            let a = Array.zeroCreate<float> (max 16 (len + len / 4))
            f64.[slot] <- a
            a
        else cur

/// Scratch slots (one concept each).
module internal Slot =
    let PackA = 0
    let PackB = 1
    let Tile = 2
    let Col = 3
    let Out = 4
    let Grad = 5
    let Bias = 6
    let DCol = 7

/// Per-calling-thread workspaces, one Scratch per worker index. Keyed by the CALLING thread so two
/// models trained on two threads never share buffers; worker w of a call only touches Scratch w.
[<AbstractClass; Sealed>]
type internal Workspace =
    [<ThreadStatic; DefaultValue>]
    static val mutable private current : Scratch[]

    static member For(workers: int) : Scratch[] =
        let cur = Workspace.current
        if isNull cur || cur.Length < workers then
            let next = Array.init (max workers 2) (fun i -> if not (isNull cur) && i < cur.Length then cur.[i] else Scratch())
            Workspace.current <- next
            next
        else cur

/// Pointer helpers.
module internal Ptr =
    /// First 64-byte aligned address inside a pinned float32 array.
    let inline aligned64 (p: nativeptr<float32>) : nativeptr<float32> =
        let a = NativePtr.toNativeInt p
        NativePtr.ofNativeInt ((a + 63n) &&& ~~~63n)
