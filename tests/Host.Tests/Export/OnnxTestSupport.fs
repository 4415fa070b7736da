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

/// Every bias of `m` redrawn from U(−0.2, 0.2) (networks whose default biases are 0), so a misplaced
/// bias cannot hide behind zeros.
let private withBiases (seed: int) (m: Module) =
    let gen = Generator seed
    for name, p in m.NamedParameters do
        if name.EndsWith ".bias" then
            let u = (Tensor.Rand(p.Shape, gen)).ToFloat32Array()
            let data = p.Raw.DataArray :?> float32[]
            for i in 0 .. u.Length - 1 do data[i] <- 0.4f * u[i] - 0.2f
    m

/// Paper 001's LeNet (Kernel/Nn/Paper001LeNet.fs): conv 20@7×7, ReLU, maxpool 2, conv 50@5×5, ReLU, maxpool 2, fc 500, ReLU, fc 10.
let paper001LeNet (seed: int) = withBiases (seed + 1000) (Paper001LeNet.Create(1, 28, 28, 10, gen = Generator seed))

/// Paper 003's digit CNN (Kernel/Nn/SequenceNets.fs; PyTorch-default biases, not zero).
let paper003Cnn (seed: int) = SequenceNets.DigitCnn(DigitCnnSpec.Paper, Generator seed) :> Module

/// Paper 003's model-2 (Kernel/Nn/SequenceNets.fs): two CNNs, their scores as a length-2 sequence into an LSTM (hidden 64), a linear head onto 28 classes.
let paper003Model2 (seed: int) = SequenceNets.Model2(DigitCnnSpec.Paper, SequenceLstmSpec.Paper, Generator seed)

/// The same model-2 by its parts (the exporter's two-input form).
let partsOf (m: CnnLstm) =
    let child name = m.Rnn.Children |> Array.find (fun (n, _) -> n = name) |> snd
    CnnLstmParts(m.Cnns, child "lstm" :?> LSTM, child "head" :?> Linear)

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

/// Images 1 and 2 of each pair (both [n; 1; H; W]) as one [n; 2; H; W] array, image k on channel k.
let pairsOf (images1: float32[]) (images2: float32[]) (shape: int[]) =
    let plane = shape.[2] * shape.[3]
    Array.init shape.[0] (fun n -> Array.append images1.[n * plane .. (n + 1) * plane - 1] images2.[n * plane .. (n + 1) * plane - 1]) |> Array.concat

/// The Kernel's own forward of paper 003's CnnLstm on the pairs (images1[n], images2[n]).
let kernelForwardModel2 (m: CnnLstm) (images1: float32[]) (images2: float32[]) (shape: int[]) =
    kernelForward m (pairsOf images1 images2 shape) [| shape.[0]; 2; shape.[2]; shape.[3] |]

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

