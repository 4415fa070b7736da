namespace InitLab.Kernel.Compare

open System
open InitLab.Kernel
open InitLab.Kernel.Nn

/// A model's loss and accuracy on some labelled images.
type LossAccuracy = { Loss: float; Accuracy: float }

/// One point of a linear path between two models.
type PathPoint = { Alpha: float; Loss: float; Accuracy: float }

/// The loss along (1 − α)·A + α·B and its barrier.
type InterpolationPath =
    { Points: PathPoint[]
      /// the highest loss on the path minus the mean of the endpoints' losses (Frankle et al. 2020);
      /// near 0 when the two models sit in one linearly connected basin
      Barrier: float }

/// Linear mode connectivity (Frankle, Dziugaite, Roy & Carbin 2020): evaluate the models whose
/// parameters lie on the straight line between two trained networks of one architecture.
module Interpolation =

    /// `count` evenly spaced α from 0 to 1 inclusive (the endpoints exactly 0 and 1).
    let alphas (count: int) =
        if count < 2 then invalidArg "count" $"Interpolation.alphas: need at least 2 points, got {count}"
        Array.init count (fun i -> if i = count - 1 then 1.0 else float i / float (count - 1))

    /// A new model with parameters (1 − α)·a + α·b (computed in float64, stored in the models' dtype;
    /// α = 0 and α = 1 give a and b bit for bit).
    let blend (a: Module) (b: Module) (alpha: float) : Module =
        if not (Double.IsFinite alpha) then invalidArg "alpha" $"Interpolation.blend: α = {alpha} is not finite"
        UnitLayout.checkParameters "Interpolation.blend" a b
        let m = a.Clone()
        let mix (pa: Tensor) (pb: Tensor) : Array =
            let v = Array.map2 (fun x y -> (1.0 - alpha) * x + alpha * y) (pa.ToArray()) (pb.ToArray())
            match pa.DType with
            | Float32 -> Array.map float32 v :> Array
            | Float64 -> v :> Array
        m.LoadParameters(
            Array.map2 (fun (name, pa) (_, pb) -> { Name = name; Shape = Array.copy (pa: Tensor).Shape; Data = mix pa pb } : StateBuffer)
                       a.NamedParameters b.NamedParameters,
            "Interpolation.blend")
        m

    /// Mean cross-entropy and accuracy of `model` on the images `x` with `labels`, in evaluation
    /// mode without recording (the training flag is restored).
    let onBatch (x: Tensor) (labels: int[]) : Module -> LossAccuracy =
        if isNull x then nullArg "x"
        if isNull labels then nullArg "labels"
        if x.Rank < 1 || x.Shape[0] <> labels.Length || labels.Length = 0 then
            invalidArg "labels" $"Interpolation.onBatch: images {Shape.show x.Shape} and {labels.Length} labels do not match (or are empty)"
        fun model ->
            let wasTraining = model.IsTraining
            model.Eval() |> ignore
            try
                use _ = Tensor.NoGrad()
                let logits = model.Forward x
                let loss = logits.CrossEntropy(labels).Item
                let predicted = logits.ArgMax 1
                let correct = Array.fold2 (fun s p l -> if p = l then s + 1 else s) 0 predicted labels
                { Loss = loss; Accuracy = float correct / float labels.Length }
            finally
                if wasTraining then model.Train() |> ignore

    /// The path from `a` (α = 0) to `b` (α = 1) at `alphas` (strictly increasing, first 0, last 1),
    /// each model scored by `evaluate`.
    let path (evaluate: Module -> LossAccuracy) (alphas: float[]) (a: Module) (b: Module) : InterpolationPath =
        if isNull (box evaluate) then nullArg "evaluate"
        UnitLayout.checkParameters "Interpolation.path" a b
        if isNull alphas || alphas.Length < 2 then invalidArg "alphas" "Interpolation.path: need at least 2 values of α"
        if alphas[0] <> 0.0 || alphas[alphas.Length - 1] <> 1.0 then
            invalidArg "alphas" $"Interpolation.path: α must run from 0 to 1 (the two models), got {alphas[0]} … {alphas[alphas.Length - 1]}"
        for i in 1 .. alphas.Length - 1 do
            if not (alphas[i] > alphas[i - 1]) then
                invalidArg "alphas" $"Interpolation.path: α must increase strictly, but α[{i - 1}] = {alphas[i - 1]} and α[{i}] = {alphas[i]}"
        let points =
            alphas |> Array.map (fun alpha ->
                let m = if alpha = 0.0 then a elif alpha = 1.0 then b else blend a b alpha
                let r = evaluate m
                if not (Double.IsFinite r.Loss) then
                    invalidOp $"Interpolation.path: the loss at α = {alpha} is {r.Loss}"
                { Alpha = alpha; Loss = r.Loss; Accuracy = r.Accuracy })
        let ends = (points[0].Loss + points[points.Length - 1].Loss) / 2.0
        { Points = points; Barrier = (points |> Array.maxBy _.Loss).Loss - ends }

type InterpolationPath with
    /// `Interpolation.path` for C#: `InterpolationPath.Between(a, b, alphas, m => score(m))`.
    static member Between(a: Module, b: Module, alphas: float[], evaluate: Func<Module, LossAccuracy>) : InterpolationPath =
        if isNull evaluate then nullArg "evaluate"
        Interpolation.path evaluate.Invoke alphas a b
