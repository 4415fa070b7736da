/// Every exported network, run in ONNX Runtime, gives the Kernel's own outputs.
module InitLab.Host.Tests.Export.OnnxParityTests

open System.IO
open Expecto
open Google.Protobuf
open InitLab.Export.Onnx
open InitLab.Kernel
open InitLab.Kernel.Nn
open InitLab.Host.Tests.Data.DataTestSupport
open InitLab.Host.Tests.Export.OnnxTestSupport

let tolerance = 1e-5

let expectParity (what: string) (kernel: float32[]) (onnx: OnnxTensor) (classes: int) =
    Expect.equal onnx.Shape.[onnx.Shape.Length - 1] classes $"{what}: ONNX output has {classes} scores per image"
    let diff, mismatches = compare kernel onnx.Data classes
    Expect.isLessThanOrEqual diff tolerance $"{what}: max |Kernel − ONNX Runtime| = {diff:E2}"
    Expect.equal mismatches 0 $"{what}: images whose argmax differs"

/// Exports a single-input network and compares both forwards on `images` (64 of them).
let checkSingle (name: string) (model: Module) (images: float32[]) (shape: int[]) (classes: int) =
    use dir = new TempDir()
    let path = dir.File(name + ".onnx")
    OnnxExporter.Export(model, path, OnnxExportOptions(InputShape = shape.[1..])) |> ignore
    let kernel = kernelForward model images shape
    let onnx = ortForward path [| OnnxTensor("input", images, shape) |]
    Expect.sequenceEqual onnx.Shape [| shape.[0]; classes |] $"{name}: output shape"
    expectParity name kernel onnx classes

/// Model-2 exported by its parts, two graph inputs, against the Kernel's CnnLstm forward on the pairs.
let checkModel2 (images1: float32[]) (images2: float32[]) =
    use dir = new TempDir()
    let path = dir.File "model2.onnx"
    let model = paper003Model2 31
    OnnxExporter.Export(partsOf model, path) |> ignore
    let kernel = kernelForwardModel2 model images1 images2 imageShape
    let onnx = ortForward path [| OnnxTensor("input1", images1, imageShape); OnnxTensor("input2", images2, imageShape) |]
    Expect.sequenceEqual onnx.Shape [| 64; 28 |] "model-2 output shape"
    expectParity "model-2" kernel onnx 28

let pairShape = [| 64; 2; 28; 28 |]

/// The CnnLstm module exported as a module (one input [batch, 2, 28, 28]) against its Kernel forward.
let checkCnnLstmModule (images1: float32[]) (images2: float32[]) =
    let model = paper003Model2 33
    checkSingle "model-2 module" model (pairsOf images1 images2 imageShape) pairShape 28

let imageNetworks =
    [ "Caffe LeNet-5", lenet5 11
      "TwoLayerNet", twoLayer 12
      "paper 001 LeNet (7×7)", paper001LeNet 13
      "paper 003 CNN", paper003Cnn 14
      "average pooling, sigmoid, stride and padding", avgPoolNet 15 ]

/// Overwrites the LSTM initializers of an exported model with the Kernel's gate order, unmapped.
let withUnmappedGates (bytes: byte[]) (lstm: string) (hidden: int) (input: int) =
    let m = Onnx.ModelProto.Parser.ParseFrom bytes
    for t in m.Graph.Initializer do
        let rowLength =
            if t.Name = lstm + ".W" then Some input
            elif t.Name = lstm + ".R" then Some hidden
            else None
        let floats () = Array.init (t.RawData.Length / 4) (fun i -> System.BitConverter.ToSingle(t.RawData.Span.Slice(i * 4, 4)))
        let put (v: float32[]) = t.RawData <- ByteString.CopyFrom(System.Runtime.InteropServices.MemoryMarshal.AsBytes(System.ReadOnlySpan v))
        match rowLength with
        | Some row -> put (LstmGates.ToKernel(floats (), hidden, row))
        | None when t.Name = lstm + ".B" ->
            let b = floats ()
            put (Array.append (LstmGates.ToKernel(b.[.. 4 * hidden - 1], hidden, 1)) (LstmGates.ToKernel(b.[4 * hidden ..], hidden, 1)))
        | None -> ()
    m.ToByteArray()

[<Tests>]
let tests =
    testSequenced <| testList "Export.Onnx.Parity" [
        testList "MNIST test images" [
            for name, model in imageNetworks do
                testCase name <| fun () -> mnistImages 0 (fun images -> checkSingle name model images imageShape 10)
            testCase "paper 003 model-2 (two CNNs, LSTM, head)" <| fun () ->
                mnistImages 0 (fun first -> mnistImages 64 (fun second -> checkModel2 first second))
            testCase "paper 003 CnnLstm module (the pair as two channels)" <| fun () ->
                mnistImages 0 (fun first -> mnistImages 64 (fun second -> checkCnnLstmModule first second))
        ]
        testList "synthetic digits" [
            for name, model in imageNetworks do
                testCase name <| fun () -> checkSingle name model (syntheticImages 5) imageShape 10
            testCase "paper 003 model-2 (two CNNs, LSTM, head)" <| fun () -> checkModel2 (syntheticImages 5) (syntheticImages 6)
            testCase "paper 003 CnnLstm module (the pair as two channels)" <| fun () -> checkCnnLstmModule (syntheticImages 5) (syntheticImages 6)
            testCase "model-2 with the pair as two channels of one input, as paper 003's CnnLstm takes it" <| fun () ->
                use dir = new TempDir()
                let path = dir.File "model2-channels.onnx"
                let model = paper003Model2 32
                let parts = partsOf model
                OnnxExporter.Export(CnnLstmParts(parts.Cnns, parts.Lstm, parts.Head, ImagesAsChannels = true), path) |> ignore
                let images1, images2 = syntheticImages 5, syntheticImages 6
                let onnx = ortForward path [| OnnxTensor("input", pairsOf images1 images2 imageShape, pairShape) |]
                expectParity "model-2, pair as channels" (kernelForwardModel2 model images1 images2 imageShape) onnx 28
            testCase "a CnnLstm given inputs that are not one image per CNN is refused naming it" <| fun () ->
                let ex = throwsAs<UnsupportedLayerException> (fun () -> OnnxExporter.ToBytes(paper003Model2 34) |> ignore) "one-channel input"
                Expect.stringContains ex.Message "CnnLstm" "names the layer"
                Expect.stringContains ex.Message "[batch, 2, H, W]" "says what it expects"
            testCase "a batch-first LSTM module with a Linear on every step" <| fun () ->
                let x = (Tensor.RandN([| 64; 5; 8 |], Generator 3)).ToFloat32Array()
                checkSingle "sequence net" (sequenceNet 16) x [| 64; 5; 8 |] 3
            testCase "batch size 1 and 7 through the same file (the batch axis is dynamic)" <| fun () ->
                use dir = new TempDir()
                let model = lenet5 17
                let path = dir.File "lenet.onnx"
                OnnxExporter.Export(model, path) |> ignore
                let images = syntheticImages 8
                for n in [ 1; 7 ] do
                    let x = images.[.. n * 784 - 1]
                    let shape = [| n; 1; 28; 28 |]
                    expectParity $"batch {n}" (kernelForward model x shape) (ortForward path [| OnnxTensor("input", x, shape) |]) 10
            testCase "the Softmax option outputs the Kernel's softmax" <| fun () ->
                use dir = new TempDir()
                let model = paper003Cnn 18
                let path = dir.File "cnn.onnx"
                OnnxExporter.Export(model, path, OnnxExportOptions(Softmax = true, OutputName = "probabilities")) |> ignore
                let images = syntheticImages 9
                let probabilities =
                    model.Eval() |> ignore
                    use _ = Tensor.NoGrad()
                    model.Forward(Tensor.OfArray(images, imageShape)).Softmax(1).ToFloat32Array()
                let onnx = ortForward path [| OnnxTensor("input", images, imageShape) |]
                Expect.equal onnx.Name "probabilities" "output name"
                expectParity "softmax" probabilities onnx 10
        ]
        testList "a wrong mapping fails the comparison" [
            testCase "model-2 with the LSTM gates left in the Kernel's order" <| fun () ->
                use dir = new TempDir()
                let model = paper003Model2 31
                let path = dir.File "wrong.onnx"
                File.WriteAllBytes(path, withUnmappedGates (OnnxExporter.ToBytes(partsOf model)) "lstm" 64 10)
                let images1, images2 = syntheticImages 5, syntheticImages 6
                let kernel = kernelForwardModel2 model images1 images2 imageShape
                let onnx = ortForward path [| OnnxTensor("input1", images1, imageShape); OnnxTensor("input2", images2, imageShape) |]
                let diff, _ = compare kernel onnx.Data 28
                Expect.isGreaterThan diff tolerance "swapped gates must not pass the parity bound"
            testCase "the CnnLstm module with the LSTM gates left in the Kernel's order" <| fun () ->
                use dir = new TempDir()
                let model = paper003Model2 33
                let path = dir.File "wrong-module.onnx"
                File.WriteAllBytes(path, withUnmappedGates (OnnxExporter.ToBytes(model, OnnxExportOptions(InputShape = pairShape.[1..]))) "rnn.lstm" 64 10)
                let pairs = pairsOf (syntheticImages 5) (syntheticImages 6) imageShape
                let diff, _ = compare (kernelForward model pairs pairShape) (ortForward path [| OnnxTensor("input", pairs, pairShape) |]).Data 28
                Expect.isGreaterThan diff tolerance "swapped gates must not pass the parity bound"
            testCase "a batch-first LSTM with the gates left in the Kernel's order" <| fun () ->
                use dir = new TempDir()
                let model = sequenceNet 16
                let path = dir.File "wrong-seq.onnx"
                File.WriteAllBytes(path, withUnmappedGates (OnnxExporter.ToBytes(model, OnnxExportOptions(InputShape = [| 5; 8 |]))) "lstm" 16 8)
                let x = (Tensor.RandN([| 64; 5; 8 |], Generator 3)).ToFloat32Array()
                let diff, _ = compare (kernelForward model x [| 64; 5; 8 |]) (ortForward path [| OnnxTensor("input", x, [| 64; 5; 8 |]) |]).Data 3
                Expect.isGreaterThan diff tolerance "swapped gates must not pass the parity bound"
        ]
    ]
