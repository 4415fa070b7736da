namespace InitLab.Kernel.Ops

open InitLab.Kernel

/// Reshape shares storage with its input (a view); backward reshapes g back.
type ReshapeFn(shape: int[]) =
    inherit Function()
    let mutable inShape: int[] = [||]
    override _.Name = "Reshape"
    override _.Forward(inputs) =
        inShape <- inputs[0].Shape
        inputs[0].View shape
    override _.Backward(g, _) = [| g.View inShape |]

/// Broadcast to a larger shape; backward sums back.
type ExpandFn(shape: int[]) =
    inherit Function()
    let mutable inShape: int[] = [||]
    override _.Name = "Expand"
    override _.Forward(inputs) =
        inShape <- inputs[0].Shape
        inputs[0].Expand shape
    override _.Backward(g, _) = [| g.SumTo inShape |]

/// Axis permutation (a contiguous copy); backward applies the inverse permutation.
type PermuteFn(perm: int[]) =
    inherit Function()
    override _.Name = "Permute"
    override _.Forward(inputs) = inputs[0].Permute perm
    override _.Backward(g, _) =
        let inverse = Array.zeroCreate perm.Length
        perm |> Array.iteri (fun i p -> inverse[p] <- i)
        [| g.Permute inverse |]

/// Elements [start, start+length) along one axis; backward writes g into zeros at that place.
type SliceFn(axis: int, start: int, length: int) =
    inherit Function()
    let mutable inShape: int[] = [||]
    let mutable ax = 0
    override _.Name = "Slice"
    override _.Forward(inputs) =
        inShape <- inputs[0].Shape
        ax <- Shape.axis inShape.Length axis
        inputs[0].Slice(ax, start, length)
    override _.Backward(g, _) = [| g.Unslice(inShape, ax, start) |]

/// Concatenation along an axis; backward slices g into the pieces.
type ConcatFn(axis: int) =
    inherit Function()
    let mutable sizes: int[] = [||]
    let mutable ax = 0
    override _.Name = "Concat"
    override _.Forward(inputs) =
        ax <- Shape.axis inputs[0].Rank axis
        sizes <- inputs |> Array.map (fun t -> t.Shape[ax])
        inputs[0].Concat(inputs[1..], ax)
    override _.Backward(g, needs) =
        let mutable start = 0
        [| for i in 0 .. sizes.Length - 1 do
               let s = start
               start <- start + sizes[i]
               if needs[i] then g.Slice(ax, s, sizes[i]) else null |]

/// Picks entries along an axis by integer index (rows by label, embeddings…); backward scatter-adds.
type IndexSelectFn(axis: int, indices: int[]) =
    inherit Function()
    let mutable inShape: int[] = [||]
    let mutable ax = 0
    override _.Name = "IndexSelect"
    override _.Forward(inputs) =
        inShape <- inputs[0].Shape
        ax <- Shape.axis inShape.Length axis
        inputs[0].IndexSelect(ax, indices)
    override _.Backward(g, _) = [| g.IndexAdd(inShape, ax, indices) |]

/// out[i] = x[i, labels[i]] for a [N; C] input: the per-row pick that NLL needs.
type GatherFn(labels: int[]) =
    inherit Function()
    let mutable inShape: int[] = [||]
    override _.Name = "Gather"
    override _.Forward(inputs) =
        let x = inputs[0]
        inShape <- x.Shape
        if x.Rank <> 2 || x.Shape[0] <> labels.Length then
            invalidArg "labels" $"gather: {labels.Length} labels for input of shape {Shape.show x.Shape} (expected [N; C] with N = {labels.Length})"
        let c = x.Shape[1]
        let r = x.New [| labels.Length |]
        for i in 0 .. labels.Length - 1 do
            if labels[i] < 0 || labels[i] >= c then
                invalidArg "labels" $"gather: label {labels[i]} at row {i} is outside 0..{c - 1}"
            r.SetItem(i, x.Item(i * c + labels[i]))
        r
    override _.Backward(g, _) =
        let c = inShape[1]
        let r = g.NewZeros inShape
        for i in 0 .. labels.Length - 1 do r.SetItem(i * c + labels[i], g.Item i)
        [| r |]
