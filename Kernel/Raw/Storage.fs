namespace InitLab.Kernel

open System
open System.Numerics
open System.Numerics.Tensors
open InitLab.Kernel.Raw

/// Reference-counted array shared by a tensor and its reshaped views. When the last holder releases
/// it, the array returns to the pool and any later read fails loudly instead of seeing reused data.
[<Sealed; AllowNullLiteral>]
type Storage<'T>(data: 'T[], pooled: bool) =
    let mutable data = data
    let mutable refs = 1
    member _.Data =
        if isNull data then
            invalidOp "this tensor's buffer was recycled when backward() freed its graph; call Retain() on an intermediate tensor before backward() to keep it"
        data
    member _.IsReleased = isNull data
    member _.RefCount = refs
    member _.AddRef() = refs <- refs + 1
    member _.Release() =
        if not (isNull data) then
            refs <- refs - 1
            if refs = 0 then
                // only buffers the pool handed out go back to it: a wrapped caller array stays the caller's
                if pooled then BufferPool<'T>.Return data
                data <- null
