namespace InitLab.Kernel.Textbook

open InitLab.Kernel
open InitLab.Kernel.Grad
open InitLab.Kernel.Nn

/// The chapter's gradient check: backprop gradients of a model's mean cross-entropy against
/// central-difference numerical ones, parameter by parameter.
module ModelGradCheck =
    /// Compares ∂loss/∂parameter of `model` on the batch (x, labels) by autodiff and by central
    /// differences with step `h`; entries are named as the model names its parameters. The gradients
    /// held by the parameters are overwritten. Use a float64 model for a meaningful comparison.
    let numericalVsBackprop (model: Module) (x: Tensor) (labels: int[]) (h: float) : GradCheckReport =
        if isNull (box model) then nullArg "model"
        if x.Shape[0] <> labels.Length then invalidArg "labels" $"x has {x.Shape[0]} samples (shape {Shape.show x.Shape}) but there are {labels.Length} labels"
        let named = model.NamedParameters
        let loss (_: Tensor[]) = model.Forward(x).CrossEntropy(labels)
        GradCheck.checkWith h GradCheck.DefaultRelFloor (named |> Array.map fst) loss (named |> Array.map snd)
