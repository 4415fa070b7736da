namespace InitLab.Kernel.Init

open InitLab.Kernel
open InitLab.Kernel.Nn

/// Applies Algorithm 1 to named convolution layers of a Sequential, in order: each layer's inputs are
/// the training inputs forwarded through every child before it, so a later layer sees the earlier
/// ones already initialised (C3 sees C1's output). Other layers keep their weights (e.g. MSRA).
/// A static class rather than a module, so C# calls it as `DataDrivenModel.Initialise(...)`.
[<AbstractClass; Sealed>]
type DataDrivenModel =
    static member private Chunk = 256

    /// The inputs forwarded through the first `count` children of `model`, without recording a graph.
    static member ForwardPrefix(model: Sequential, count: int, inputs: Tensor) : Tensor =
        let chunk = DataDrivenModel.Chunk
        let children = model.Children
        if count = 0 then inputs
        else
            use _ = Tensor.NoGrad()
            let n = inputs.Shape[0]
            // Each chunk's intermediates are recycled by a scope and only its output is copied out: fresh
            // arrays per chunk (tens of MB of large-object heap) cost more than the convolutions themselves.
            // (the output array is a plain one, made outside every scope, so no scope recycles it)
            let mutable values: System.Array = null
            let mutable shape = [||]
            for start in 0 .. chunk .. n - 1 do
                use _ = Tensor.Scope()
                let mutable y = inputs.Narrow(0, start, min chunk (n - start))
                for j in 0 .. count - 1 do y <- (snd children[j]).Forward y
                let per = y.Numel / y.Shape[0]
                if isNull values then
                    shape <- Array.append [| n |] y.Shape[1..]
                    values <- System.Array.CreateInstance(y.Raw.DataArray.GetType().GetElementType(), n * per)
                System.Array.Copy(y.Raw.DataArray, 0, values, start * per, y.Numel)
            match values with
            | :? (float32[]) as v -> Tensor.Wrap(v, shape)
            | v -> Tensor.Wrap(v :?> float[], shape)

    /// Initialises `layers` (names of Conv2d children) from `inputs` [N; C; H; W]; biases are set to 0.
    /// Returns each layer's result, for reports. The generator draws g_r of each layer in turn.
    static member Initialise(options: DataDrivenOptions, model: Sequential, layers: string[], inputs: Tensor, gen: Generator)
        : DataDrivenLayerResult[] =
        if isNull (box model) then nullArg "model"
        if isNull inputs then nullArg "inputs"
        let children = model.Children
        [| for name in layers ->
               let index =
                   match children |> Array.tryFindIndex (fun (n, _) -> n = name) with
                   | Some i -> i
                   | None -> invalidArg "layers" $"data-driven initialiser: the model has no layer '{name}'"
               let conv =
                   match snd children[index] with
                   | :? Conv2d as c when c.Stride = 1 && c.Padding = 0 -> c
                   | m -> invalidArg "layers" $"data-driven initialiser: layer '{name}' is {m.Describe()}, not a stride-1, unpadded Conv2d"
               let prev = DataDrivenModel.ForwardPrefix(model, index, inputs)
               let r = DataDrivenInit.generate options prev conv.KernelSize conv.OutChannels conv.Weight gen
               let w = r.Weight.Cast(conv.Weight.DType)
               System.Array.Copy(w.Raw.DataArray, conv.Weight.Raw.DataArray, conv.Weight.Numel)
               if not (isNull conv.Bias) then conv.Bias.Raw.FillInPlace 0.0
               { Layer = name; Result = r } |]
