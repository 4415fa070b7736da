namespace InitLab.Kernel.Compare

open System
open InitLab.Kernel
open InitLab.Kernel.Nn

/// Every layer's output of a model for one batch: what CKA compares.
module LayerOutputs =
    /// Each leaf's output (nested Sequentials opened up, see `Leaves`) for input `x`, in forward order,
    /// computed in evaluation mode without recording; the model's training flag is restored after.
    let ofModel (model: Module) (x: Tensor) : (string * Tensor)[] =
        if isNull (box model) then nullArg "model"
        if isNull x then nullArg "x"
        let leaves = Leaves.ofModel model
        let wasTraining = model.IsTraining
        model.Eval() |> ignore
        try
            use _ = Tensor.NoGrad()
            let mutable y = x
            [| for (path, m) in leaves do
                   try
                       y <- m.Forward y
                   with :? ArgumentException as e ->
                       raise (ArgumentException($"LayerOutputs: in layer '{path}': {e.Message}", e))
                   yield path, y |]
        finally
            if wasTraining then model.Train() |> ignore
