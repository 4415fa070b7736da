/// The exported file is valid ONNX: ONNX Runtime opens it, and re-read with the protobuf types every
/// initializer's shape agrees with the node that uses it and with the Kernel parameter it came from.
module InitLab.Host.Tests.Export.OnnxModelFileTests

open System
open Expecto
open Onnx
open InitLab.Export.Onnx
open InitLab.Kernel.Nn
open InitLab.Host.Tests.Data.DataTestSupport
open InitLab.Host.Tests.Export.OnnxTestSupport

let dims (t: TensorProto) = t.Dims |> Seq.toArray

let elementCount (t: TensorProto) =
    match t.DataType with
    | 1 -> if t.RawData.Length > 0 then int64 t.RawData.Length / 4L else int64 t.FloatData.Count
    | 7 -> int64 t.Int64Data.Count
    | other -> failwithf "initializer '%s' has unexpected data type %d" t.Name other

let attr (n: NodeProto) (name: string) = n.Attribute |> Seq.tryFind (fun a -> a.Name = name)
let attrInt n name = attr n name |> Option.map (fun a -> a.I)
let attrInts n name = attr n name |> Option.map (fun a -> a.Ints |> Seq.toArray)

/// Checks every initializer: its data fill its dims, some node consumes it, and its dims fit that node.
let checkInitializers (m: ModelProto) =
    let inits = m.Graph.Initializer |> Seq.map (fun t -> t.Name, t) |> dict
    for t in m.Graph.Initializer do
        let count = dims t |> Array.fold (*) 1L
        let shown = String.Join(", ", dims t)
        Expect.equal (elementCount t) count $"initializer '{t.Name}' holds as many values as its dims [{shown}] say"
    let used = m.Graph.Node |> Seq.collect (fun n -> n.Input) |> set
    for t in m.Graph.Initializer do Expect.isTrue (used.Contains t.Name) $"initializer '{t.Name}' is used by a node"
    let shapeOf (n: NodeProto) i = if i < n.Input.Count && inits.ContainsKey n.Input.[i] then Some(dims inits.[n.Input.[i]]) else None
    for n in m.Graph.Node do
        match n.OpType with
        | "Conv" ->
            let w = (shapeOf n 1).Value
            let k = (attrInts n "kernel_shape").Value
            Expect.equal w.Length 4 $"{n.Name}: weight is OIHW"
            Expect.sequenceEqual w.[2..] k $"{n.Name}: weight's spatial dims are the kernel_shape"
            shapeOf n 2 |> Option.iter (fun b -> Expect.sequenceEqual b [| w.[0] |] $"{n.Name}: one bias per output channel")
        | "Gemm" ->
            Expect.equal (attrInt n "transB") (Some 1L) $"{n.Name}: weight kept as [out, in]"
            let w = (shapeOf n 1).Value
            Expect.equal w.Length 2 $"{n.Name}: weight is a matrix"
            shapeOf n 2 |> Option.iter (fun b -> Expect.sequenceEqual b [| w.[0] |] $"{n.Name}: one bias per output")
        | "MatMul" -> Expect.equal (shapeOf n 1).Value.Length 2 $"{n.Name}: weight is a matrix"
        | "LSTM" ->
            let h = (attrInt n "hidden_size").Value
            let w, r = (shapeOf n 1).Value, (shapeOf n 2).Value
            Expect.sequenceEqual w.[.. 1] [| 1L; 4L * h |] $"{n.Name}: W is [1, 4H, input]"
            Expect.sequenceEqual r [| 1L; 4L * h; h |] $"{n.Name}: R is [1, 4H, H]"
            shapeOf n 3 |> Option.iter (fun b -> Expect.sequenceEqual b [| 1L; 8L * h |] $"{n.Name}: B is [1, 8H] (Wb then Rb)")
        | "Dropout" -> Expect.sequenceEqual (shapeOf n 1).Value [||] $"{n.Name}: the ratio is a scalar"
        | "Squeeze" | "Unsqueeze" -> Expect.equal (shapeOf n 1).Value.Length 1 $"{n.Name}: axes are a list"
        | _ -> ()

/// Initializers named as Kernel parameters carry the parameter's shape.
let checkAgainstParameters (m: ModelProto) (parameters: seq<string * InitLab.Kernel.Tensor>) =
    let inits = m.Graph.Initializer |> Seq.map (fun t -> t.Name, t) |> dict
    for name, p in parameters do
        if inits.ContainsKey name then
            Expect.sequenceEqual (dims inits.[name]) (p.Shape |> Array.map int64) $"initializer '{name}' has the parameter's shape"

let networks : (string * Module * int[]) list =
    [ "Caffe LeNet-5", lenet5 1, [| 1; 28; 28 |]
      "TwoLayerNet", twoLayer 2, [| 1; 28; 28 |]
      "paper 001 LeNet", paper001LeNet 3, [| 1; 28; 28 |]
      "paper 003 CNN", paper003Cnn 4, [| 1; 28; 28 |]
      "paper 003 model-2 (CnnLstm module)", paper003Model2 6 :> Module, [| 2; 28; 28 |]
      "sequence net", sequenceNet 5, [| 5; 8 |] ]

let written (bytes: byte[]) (f: string -> unit) =
    use dir = new TempDir()
    let path = dir.File "model.onnx"
    IO.File.WriteAllBytes(path, bytes)
    f path

[<Tests>]
let tests =
    testList "Export.Onnx.ModelFile" [
        for name, model, shape in networks do
            testCase $"{name}: initializers fit the graph and the parameters" <| fun () ->
                    let m = ModelProto.Parser.ParseFrom(OnnxExporter.ToBytes(model, OnnxExportOptions(InputShape = shape)))
                    checkInitializers m
                    checkAgainstParameters m (model.NamedParameters |> Seq.map (fun (n, p) -> n, p))
                    let weights = m.Graph.Initializer |> Seq.filter (fun t -> t.DataType = 1 && t.Dims.Count > 0) |> Seq.sumBy elementCount
                    Expect.equal weights model.ParameterCount "every parameter is written, once"
        testCase "model-2: initializers fit the graph and the parameters" <| fun () ->
            let parts = partsOf (paper003Model2 7)
            let m = ModelProto.Parser.ParseFrom(OnnxExporter.ToBytes parts)
            checkInitializers m
            checkAgainstParameters m (parts.NamedParameters |> Seq.map (fun struct (n, p) -> n, p))
            let weights = m.Graph.Initializer |> Seq.filter (fun t -> t.DataType = 1 && t.Dims.Count > 0) |> Seq.sumBy elementCount
            Expect.equal weights (parts.NamedParameters |> Seq.sumBy (fun struct (_, p) -> int64 p.Numel)) "every parameter is written, once"
        testCase "opset, IR version, dynamic batch, names and metadata_props" <| fun () ->
            let options =
                OnnxExportOptions(RunId = "42", ConfigHash = "c0ffee", DataFingerprint = "f00d", OutputName = "scores",
                                  Metadata = readOnlyDict [ "note", "hand-made" ])
            let m = ModelProto.Parser.ParseFrom(OnnxExporter.ToBytes(lenet5 1, options))
            Expect.equal m.IrVersion OnnxExporter.IrVersion "IR version"
            Expect.equal [ for o in m.OpsetImport -> o.Domain, o.Version ] [ "", int64 OnnxExporter.Opset ] "opset of the default domain"
            let input = m.Graph.Input |> Seq.exactlyOne
            Expect.equal input.Name "input" "input name"
            let inDims = input.Type.TensorType.Shape.Dim |> Seq.toList
            Expect.equal inDims.Head.DimParam "batch" "the batch axis is symbolic"
            Expect.equal [ for d in inDims.Tail -> d.DimValue ] [ 1L; 28L; 28L ] "image axes are fixed"
            let output = m.Graph.Output |> Seq.exactlyOne
            Expect.equal output.Name "scores" "output name"
            Expect.equal [ for d in output.Type.TensorType.Shape.Dim -> d.DimParam, d.DimValue ] [ "batch", 0L; "", 10L ] "output [batch, 10]"
            let meta = m.MetadataProps |> Seq.map (fun p -> p.Key, p.Value) |> Map.ofSeq
            Expect.equal meta (Map [ "run_id", "42"; "config_hash", "c0ffee"; "data_fingerprint", "f00d"; "note", "hand-made" ]) "metadata_props"
            Expect.equal [ for n in m.Graph.Node -> n.OpType ] [ "Conv"; "MaxPool"; "Conv"; "MaxPool"; "Flatten"; "Gemm"; "Relu"; "Gemm"; "Identity" ] "LeNet-5's nodes"
        testCase "ONNX Runtime opens every exported network with the declared inputs and output" <| fun () ->
            for name, model, shape in networks do
                written (OnnxExporter.ToBytes(model, OnnxExportOptions(InputShape = shape))) (fun path ->
                    use s = new OnnxInference(path)
                    Expect.sequenceEqual s.InputNames [ "input" ] $"{name}: inputs"
                    Expect.sequenceEqual s.OutputNames [ "logits" ] $"{name}: outputs")
            written (OnnxExporter.ToBytes(partsOf (paper003Model2 7))) (fun path ->
                use s = new OnnxInference(path)
                Expect.sequenceEqual s.InputNames [ "input1"; "input2" ] "model-2: inputs")
        testCase "Dropout is written as ONNX Dropout with its ratio and no training mode" <| fun () ->
            let m = ModelProto.Parser.ParseFrom(OnnxExporter.ToBytes(paper003Cnn 4))
            let d = m.Graph.Node |> Seq.find (fun n -> n.OpType = "Dropout")
            Expect.equal d.Input.Count 2 "data and ratio only: inference"
            let ratio = m.Graph.Initializer |> Seq.find (fun t -> t.Name = d.Input.[1])
            Expect.equal ratio.FloatData.[0] 0.25f "ratio"
    ]
