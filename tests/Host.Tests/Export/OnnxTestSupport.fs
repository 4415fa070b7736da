/// The networks the studies train, built with fixed seeds, and the two forwards an export is compared by.
module InitLab.Host.Tests.Export.OnnxTestSupport

open System
open Expecto
open InitLab.Data
open InitLab.Export.Onnx
open InitLab.Kernel
open InitLab.Kernel.Init
open InitLab.Kernel.Nn
open InitLab.Host.Tests.Data.DataTestSupport

/// Biases drawn away from zero, so a misplaced bias cannot hide behind zeros.
let private biases = Uniform(-0.2, 0.2)

/// Caffe's LeNet-5 (Kernel/Nn/Models.fs).
let lenet5 (seed: int) = Models.LeNet5(biasInit = biases, gen = Generator seed) :> Module

/// The textbook's TwoLayerNet behind a flatten, as the registry builds it (784-50-10, sigmoid).
let twoLayer (seed: int) =
    Flatten() --> Models.TwoLayerNet(784, 50, 10, weightInit = XavierNormal, biasInit = biases, gen = Generator seed) :> Module

/// Paper 001's LeNet: C1 20@7×7, ReLU, maxpool 2, C3 50@5×5, ReLU, maxpool 2, fc 500, ReLU, fc 10.
let paper001LeNet (seed: int) =
    let gen = Generator seed
    Sequential [
        "c1", Conv2d(1, 20, 7, biasInit = biases, gen = gen) :> Module
        "relu1", ReLU()
        "s2", MaxPool2d 2
        "c3", Conv2d(20, 50, 5, biasInit = biases, gen = gen)
        "relu3", ReLU()
        "s4", MaxPool2d 2
        "flatten", Flatten()
        "f5", Linear(50 * 3 * 3, 500, biasInit = biases, gen = gen)
        "relu5", ReLU()
        "f6", Linear(500, 10, biasInit = biases, gen = gen) ] :> Module

/// Paper 003's CNN: conv 16@3×3, ReLU, maxpool 2, dropout 0.25, fc 128, ReLU, fc 10.
let paper003Cnn (seed: int) =
    let gen = Generator seed
    Sequential [
        "conv", Conv2d(1, 16, 3, biasInit = biases, gen = gen) :> Module
        "relu1", ReLU()
        "pool", MaxPool2d 2
        "dropout", Dropout(0.25, gen.Split())
        "flatten", Flatten()
        "fc1", Linear(16 * 13 * 13, 128, biasInit = biases, gen = gen)
        "relu2", ReLU()
        "fc2", Linear(128, 10, biasInit = biases, gen = gen) ] :> Module

/// Paper 003's model-2: two CNNs, their scores as a length-2 sequence into an LSTM (hidden 64), a linear head onto 28 classes.
let paper003Model2 (seed: int) =
    CnnLstmParts([| paper003Cnn seed; paper003Cnn (seed + 100) |], LSTM(10, 64, gen = Generator(seed + 200)), Linear(64, 28, gen = Generator(seed + 300)))

/// A batch-first LSTM module inside a Sequential ([batch, 5, 8] sequences), with a Linear on every step (the MatMul path) and a Tanh.
let sequenceNet (seed: int) =
    let gen = Generator seed
    Sequential [
        "lstm", LSTM(8, 16, gen = gen) :> Module
        "step", Linear(16, 4, biasInit = biases, gen = gen)
        "tanh", Tanh()
        "flatten", Flatten()
        "out", Linear(20, 3, biasInit = biases, gen = gen) ] :> Module

/// Average pooling and sigmoid are exported too, though no study network uses them.
let avgPoolNet (seed: int) =
    let gen = Generator seed
    Sequential [
        "conv", Conv2d(1, 6, 5, stride = 2, padding = 1, biasInit = biases, gen = gen) :> Module
        "sigmoid", Sigmoid()
        "pool", AvgPool2d 2
        "flatten", Flatten()
        "fc", Linear(6 * 6 * 6, 10, biasInit = biases, gen = gen) ] :> Module

/// The Kernel's own forward in evaluation mode, without a graph.
let kernelForward (m: Module) (x: float32[]) (shape: int[]) =
    m.Eval() |> ignore
    use _ = Tensor.NoGrad()
    m.Forward(Tensor.OfArray(x, shape)).ToFloat32Array()

/// The Kernel's forward of model-2 as paper 003 defines it: the LSTM's last hidden state into the head.
let kernelForwardModel2 (p: CnnLstmParts) (x1: float32[]) (x2: float32[]) (shape: int[]) =
    p.Eval() |> ignore
    use _ = Tensor.NoGrad()
    let z1 = p.Cnns.[0].Forward(Tensor.OfArray(x1, shape))
    let z2 = p.Cnns.[1].Forward(Tensor.OfArray(x2, shape))
    let _, (h, _) = p.Lstm.ForwardWithState(TensorOps.Stack([| z1; z2 |], 1))
    p.Head.Forward(h).ToFloat32Array()

/// ONNX Runtime's forward (CPU, one intra-op thread).
let ortForward (path: string) (inputs: OnnxTensor[]) =
    use s = new OnnxInference(path, 1)
    s.Run(inputs)

/// Largest absolute difference and the number of rows whose argmax differs (rows of `classes` scores).
let compare (a: float32[]) (b: float32[]) (classes: int) =
    if a.Length <> b.Length then failwithf "outputs differ in size: %d vs %d" a.Length b.Length
    let maxDiff = Array.fold2 (fun m (x: float32) (y: float32) -> max m (abs (float x - float y))) 0.0 a b
    let argmax (v: float32[]) r = Array.sub v (r * classes) classes |> Array.mapi (fun i x -> x, i) |> Array.max |> snd
    let rows = a.Length / classes
    let mismatches = Seq.init rows id |> Seq.filter (fun r -> argmax a r <> argmax b r) |> Seq.length
    maxDiff, mismatches

/// 64 synthetic digits scaled by 1/256 (always available).
let syntheticImages (seed: int) = (SyntheticDigits.Generate(64, seed)).ToFloats PixelScale.Caffe256

let private mnistTest = lazy (realRoot "mnist" |> Option.map (fun root -> (Mnist.Load root).Test))

/// The first 64 MNIST test images (offset `skip`), scaled by 1/256; skips the test when MNIST is not there.
let mnistImages (skip: int) (f: float32[] -> unit) =
    withRealData "mnist" (fun _ ->
        let test = mnistTest.Value |> Option.get
        f ((test.Subset(Array.init 64 (fun i -> skip + i))).ToFloats PixelScale.Caffe256))

let imageShape = [| 64; 1; 28; 28 |]

/// The exception of type 'e that `f` throws (failing the test when it throws none).
let throwsAs<'e when 'e :> exn> (f: unit -> unit) (what: string) : 'e =
    try
        f ()
        failtestf "%s: expected %s, nothing was thrown" what typeof<'e>.Name
    with :? 'e as e -> e

