namespace InitLab.Kernel

open System

/// Shapes are int arrays in row-major (C) order, e.g. NCHW = [| n; c; h; w |].
module Shape =
    let numel (shape: int[]) =
        let mutable n = 1L
        for d in shape do
            if d < 0 then invalidArg "shape" $"negative dimension in shape %A{shape}"
            n <- n * int64 d
        if n > int64 Int32.MaxValue then invalidArg "shape" $"shape %A{shape} has more than 2^31-1 elements"
        int n

    let show (shape: int[]) = "[" + String.Join("; ", shape) + "]"

    /// Row-major strides (in elements).
    let strides (shape: int[]) =
        let s = Array.zeroCreate shape.Length
        let mutable acc = 1
        for i in shape.Length - 1 .. -1 .. 0 do
            s[i] <- acc
            acc <- acc * shape[i]
        s

    /// Normalises a possibly negative axis (-1 = last) and checks it.
    let axis (rank: int) (axis: int) =
        let a = if axis < 0 then axis + rank else axis
        if a < 0 || a >= rank then invalidArg "axis" $"axis {axis} is out of range for a tensor of rank {rank}"
        a

    /// NumPy broadcasting: align trailing dimensions; each pair must be equal or contain a 1.
    let broadcast (a: int[]) (b: int[]) =
        let r = max a.Length b.Length
        Array.init r (fun i ->
            let da = if i < r - a.Length then 1 else a[i - (r - a.Length)]
            let db = if i < r - b.Length then 1 else b[i - (r - b.Length)]
            if da = db || db = 1 then da
            elif da = 1 then db
            else invalidArg "shape" $"shapes {show a} and {show b} cannot be broadcast together")

    /// Resolves one -1 in a requested shape against a total element count.
    let resolveReshape (total: int) (requested: int[]) =
        let unknown = requested |> Array.filter ((=) -1) |> Array.length
        if unknown > 1 then invalidArg "shape" $"reshape to {show requested}: at most one dimension may be -1"
        let known = requested |> Array.fold (fun acc d -> if d = -1 then acc else acc * d) 1
        let resolved =
            if unknown = 1 then
                if known = 0 || total % known <> 0 then
                    invalidArg "shape" $"cannot reshape {total} elements to {show requested}"
                requested |> Array.map (fun d -> if d = -1 then total / known else d)
            else requested
        if numel resolved <> total then
            invalidArg "shape" $"cannot reshape {total} elements to {show requested}"
        resolved

    /// Shape after reducing `axis`, keeping it as 1 or dropping it.
    let reduced (shape: int[]) (axis: int) (keepDim: bool) =
        if keepDim then shape |> Array.mapi (fun i d -> if i = axis then 1 else d)
        else shape |> Array.removeAt axis

    /// (outer, size, inner) decomposition around one axis: the layout every axis-wise kernel walks.
    let around (shape: int[]) (axis: int) =
        let outer = shape[.. axis - 1] |> Array.fold (*) 1
        let inner = shape[axis + 1 ..] |> Array.fold (*) 1
        outer, shape[axis], inner
