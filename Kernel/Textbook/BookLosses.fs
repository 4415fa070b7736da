namespace InitLab.Kernel.Textbook

open System
open InitLab.Kernel

/// The losses exactly as Deep Learning from Scratch ch. 4 defines them on probabilities (not logits):
/// sum of squares ½·Σ(y − t)² and cross-entropy −Σ t·log(y + δ), δ = 1e-7 so that y = 0 gives a
/// large finite loss instead of infinity. Mini-batch forms divide by the batch size.
module BookLosses =
    /// The chapter's δ inside the logarithm.
    [<Literal>]
    let Delta = 1e-7

    let private sameLength (y: float[]) (t: float[]) =
        if isNull y || isNull t then nullArg "y/t"
        if y.Length <> t.Length then invalidArg "t" $"y has {y.Length} values but t has {t.Length}; they must be equally long"

    let private checkLabel (classes: int) (label: int) =
        if label < 0 || label >= classes then invalidArg "label" $"label {label} is outside 0..{classes - 1}"

    /// The one-hot vector of `label` among `classes`.
    let oneHot (classes: int) (label: int) =
        checkLabel classes label
        Array.init classes (fun i -> if i = label then 1.0 else 0.0)

    /// ½·Σ(y_k − t_k)² of one sample with a one-hot target.
    let sumSquares (y: float[]) (t: float[]) =
        sameLength y t
        0.5 * Array.fold2 (fun acc (a: float) b -> acc + (a - b) * (a - b)) 0.0 y t

    /// −Σ t_k·log(y_k + δ) of one sample with a one-hot target.
    let crossEntropy (y: float[]) (t: float[]) =
        sameLength y t
        -(Array.fold2 (fun acc (a: float) b -> acc + b * Math.Log(a + Delta)) 0.0 y t)

    /// −log(y_label + δ) of one sample with an integer label (the same value as with its one-hot target).
    let crossEntropyOfLabel (y: float[]) (label: int) =
        checkLabel y.Length label
        -Math.Log(y[label] + Delta)

    let private batchMean name (ys: float[][]) (n: int) (lossOf: int -> float) =
        if isNull ys || ys.Length = 0 then invalidArg "ys" "a mini-batch needs at least one sample"
        if n <> ys.Length then invalidArg name $"{ys.Length} predictions but {n} targets"
        (Array.init ys.Length lossOf |> Array.sum) / float ys.Length

    /// Mini-batch sum of squares: the mean over samples of ½·Σ(y − t)².
    let sumSquaresBatch (ys: float[][]) (ts: float[][]) =
        batchMean "ts" ys (if isNull ts then 0 else ts.Length) (fun i -> sumSquares ys[i] ts[i])

    /// Mini-batch cross-entropy with one-hot targets: −Σ t·log(y + δ) / N.
    let crossEntropyBatch (ys: float[][]) (ts: float[][]) =
        batchMean "ts" ys (if isNull ts then 0 else ts.Length) (fun i -> crossEntropy ys[i] ts[i])

    /// Mini-batch cross-entropy with integer labels: −Σ log(y[n, t_n] + δ) / N.
    let crossEntropyBatchOfLabels (ys: float[][]) (labels: int[]) =
        batchMean "labels" ys (if isNull labels then 0 else labels.Length) (fun i -> crossEntropyOfLabel ys[i] labels[i])

    /// The same two losses on Kernel tensors (differentiable): y and t of shape [K] or [N; K]; rank 2 divides by N.
    let private batchDivisor (y: Tensor) (t: Tensor) =
        if y.Shape <> t.Shape then invalidArg "t" $"y has shape {Shape.show y.Shape} but t has {Shape.show t.Shape}"
        match y.Rank with
        | 1 -> 1.0
        | 2 -> float y.Shape[0]
        | _ -> invalidArg "y" $"expected probabilities of shape [K] or [N; K], got {Shape.show y.Shape}"

    /// ½·Σ(y − t)² (÷ N for a batch) on tensors.
    let sumSquaresTensor (y: Tensor) (t: Tensor) =
        let n = batchDivisor y t
        (y - t).Square().Sum() * (0.5 / n)

    /// −Σ t·log(y + δ) (÷ N for a batch) on tensors.
    let crossEntropyTensor (y: Tensor) (t: Tensor) =
        let n = batchDivisor y t
        -((t * (y + Delta).Log()).Sum()) / n
