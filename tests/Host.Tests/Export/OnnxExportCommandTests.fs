/// Export from a checkpoint (the `initlab export onnx` logic) and every way it can be refused: a layer
/// with no ONNX form, a corrupt or foreign checkpoint, an unwritable output. Nothing is half-written.
module InitLab.Host.Tests.Export.OnnxExportCommandTests

open System
open System.IO
open Expecto
open Onnx
open InitLab.Cli
open InitLab.Export.Onnx
open InitLab.Kernel
open InitLab.Kernel.Nn
open InitLab.Store
open InitLab.Training
open InitLab.Host.Tests.Data.DataTestSupport
open InitLab.Host.Tests.Export.OnnxTestSupport

let saveCheckpoint (path: string) (model: Module) =
    Checkpoint.Save(path, CheckpointData(7L, model.SaveParameters(), [||], [||], null))

let export (args: string list) = ExportCommand.Run(Array.ofList ("export" :: "onnx" :: args))

/// Files in `dir` other than those listed (temporaries left behind would show here).
let others (dir: string) (keep: string list) =
    Directory.GetFiles dir |> Array.map Path.GetFileName |> Array.filter (fun f -> not (List.contains f keep)) |> Array.sort

[<Tests>]
let tests =
    testList "Export.Onnx.Command" [
        testCase "a checkpoint exports to the network it fits, outputs as the model" <| fun () ->
            use dir = new TempDir()
            for name, model in [ "lenet5", Models.Create("lenet5", Generator 3); "twolayer", Models.Create("twolayer", Generator 4, "xavier")
                                 "paper001-lenet", Models.Create("paper001-lenet", Generator 5); "digitcnn003", Models.Create("digitcnn003", Generator 6) ] do
                let ck, out = dir.File(name + ".safetensors"), dir.File(name + ".onnx")
                saveCheckpoint ck model
                Expect.equal (export [ "--checkpoint"; ck; "--out"; out ]) ExportCommand.Ok $"{name}: exit code"
                let images = syntheticImages 3
                let diff, mismatches = compare (kernelForward model images imageShape) (ortForward out [| OnnxTensor("input", images, imageShape) |]).Data 10
                Expect.isLessThanOrEqual diff 1e-5 $"{name}: max |Kernel − ONNX Runtime|"
                Expect.equal mismatches 0 $"{name}: argmax"
                let meta = (ModelProto.Parser.ParseFrom(File.ReadAllBytes out)).MetadataProps |> Seq.map (fun p -> p.Key, p.Value) |> Map.ofSeq
                Expect.equal (meta.TryFind "iteration") (Some "7") $"{name}: the checkpoint's iteration is recorded"
        testCase "a LeNet-5 trained and checkpointed by the Trainer exports with the Kernel's predictions" <| fun () ->
            use dir = new TempDir()
            let ck, out = dir.File "trained.safetensors", dir.File "trained.onnx"
            let net = Models.Create("lenet5", Generator 5)
            let options = TrainingOptions(Iterations = 30, BatchSize = 32, Threads = 1, CheckpointPath = ck, Progress = ProgressMode.Silent)
            Trainer(net, "caffe-lenet", options).Run(InitLab.Data.SyntheticDigits.Generate(960, 2)) |> ignore
            Expect.equal (export [ "--checkpoint"; ck; "--out"; out ]) ExportCommand.Ok "exit code"
            let images = syntheticImages 4
            let diff, mismatches = compare (kernelForward net images imageShape) (ortForward out [| OnnxTensor("input", images, imageShape) |]).Data 10
            Expect.isLessThanOrEqual diff 1e-5 "max |Kernel − ONNX Runtime|"
            Expect.equal mismatches 0 "argmax"
        testCase "--run puts the run's id, config hash and data fingerprint in metadata_props" <| fun () ->
            use dir = new TempDir()
            let ck, out, db = dir.File "c.safetensors", dir.File "m.onnx", dir.File "runs.db"
            saveCheckpoint ck (Models.Create("lenet5", Generator 3))
            let run =
                use store = RunStore.Open db
                store.StartRun(RunInfo("cli", "lenet5-mnist", """{"model":"lenet5"}""", 1L, "fp-123"))
            let record =
                use store = RunStore.Open db
                store.GetRun run
            Expect.equal (export [ "--checkpoint"; ck; "--out"; out; "--run"; string run; "--store"; db ]) ExportCommand.Ok "exit code"
            let meta = (ModelProto.Parser.ParseFrom(File.ReadAllBytes out)).MetadataProps |> Seq.map (fun p -> p.Key, p.Value) |> Map.ofSeq
            Expect.equal meta.["run_id"] (string run) "run id"
            Expect.equal meta.["config_hash"] (CheckpointOnnxExport.ConfigHash record.ConfigJson) "config hash"
            Expect.equal meta.["data_fingerprint"] "fp-123" "data fingerprint"
            Expect.equal (export [ "--checkpoint"; ck; "--out"; out; "--run"; "999"; "--store"; db ]) ExportCommand.BadCheckpoint "an unknown run is refused"
        testCase "a layer with no ONNX form is refused by name, and nothing is written" <| fun () ->
            use dir = new TempDir()
            let out = dir.File "m.onnx"
            File.WriteAllText(out, "previous")
            let model = Sequential [ "features", Sequential [ "conv", Conv2d(1, 2, 3) :> Module; "scale", Lambda("scale", fun x -> x * 0.5) ] :> Module; "flatten", Flatten() ]
            let e = throwsAs<UnsupportedLayerException> (fun () -> OnnxExporter.Export(model, out) |> ignore) "refused"
            Expect.equal e.LayerPath "features.scale" "the layer's path"
            Expect.stringContains e.Message "Lambda(scale)" "the message names the layer"
            Expect.equal (File.ReadAllText out) "previous" "the existing file is untouched"
            Expect.isEmpty (others dir.Path [ "m.onnx" ]) "no temporary left"
        testCase "an input the first layer cannot take is refused naming the layer and the shape" <| fun () ->
            let e = throwsAs<UnsupportedLayerException> (fun () -> OnnxExporter.ToBytes(lenet5 1, OnnxExportOptions(InputShape = [| 3; 28; 28 |])) |> ignore) "refused"
            Expect.equal e.LayerPath "conv1" "path"
            Expect.stringContains e.Message "[batch, 3, 28, 28]" "the shape received"
        testCase "a float64 network is refused naming the parameter" <| fun () ->
            let model = Sequential [ "fc", Linear(4, 2, dtype = Float64) :> Module ]
            let e = throwsAs<UnsupportedLayerException> (fun () -> OnnxExporter.ToBytes(model, OnnxExportOptions(InputShape = [| 4 |])) |> ignore) "refused"
            Expect.stringContains e.Message "fc.weight" "names the parameter"
            Expect.stringContains e.Message "float64" "names the dtype"
        testCase "a corrupt checkpoint: exit 1, message naming the file, no output" <| fun () ->
            use dir = new TempDir()
            let ck, out = dir.File "bad.safetensors", dir.File "m.onnx"
            saveCheckpoint ck (Models.Create("lenet5", Generator 3))
            let bytes = File.ReadAllBytes ck
            File.WriteAllBytes(ck, bytes.[.. bytes.Length / 2])
            Expect.equal (export [ "--checkpoint"; ck; "--out"; out ]) ExportCommand.BadCheckpoint "exit code"
            Expect.throwsT<CheckpointFormatException> (fun () -> CheckpointOnnxExport.Export(ck, out) |> ignore) "the API's exception"
            Expect.isFalse (File.Exists out) "nothing written"
            Expect.isEmpty (others dir.Path [ "bad.safetensors" ]) "no temporary left"
        testCase "a foreign safetensors file and a checkpoint of another network: exit 1, no output" <| fun () ->
            use dir = new TempDir()
            let foreign, other, out = dir.File "foreign.safetensors", dir.File "other.safetensors", dir.File "m.onnx"
            SafeTensors.Write(foreign, [| { Name = "w"; Shape = [| 2 |]; Data = [| 1.0f; 2.0f |] } |])
            saveCheckpoint other (Sequential [ "fc", Linear(3, 2) :> Module ])
            Expect.equal (export [ "--checkpoint"; foreign; "--out"; out ]) ExportCommand.BadCheckpoint "foreign file"
            let e = throwsAs<InvalidDataException> (fun () -> CheckpointOnnxExport.Export(other, out) |> ignore) "no network fits"
            Expect.stringContains e.Message "fc.weight [2, 3]" "the message shows the parameters"
            Expect.equal (export [ "--checkpoint"; other; "--out"; out; "--model"; "lenet5" ]) ExportCommand.BadCheckpoint "the named network does not fit"
            Expect.equal (export [ "--checkpoint"; dir.File "missing.safetensors"; "--out"; out ]) ExportCommand.BadCheckpoint "missing file"
            Expect.isFalse (File.Exists out) "nothing written"
        testCase "an unwritable output path: exit 4, message naming it, nothing half-written" <| fun () ->
            use dir = new TempDir()
            let ck = dir.File "c.safetensors"
            saveCheckpoint ck (Models.Create("lenet5", Generator 3))
            File.WriteAllText(dir.File "plain-file", "x")
            let underFile = Path.Combine(dir.File "plain-file", "m.onnx")
            Expect.equal (export [ "--checkpoint"; ck; "--out"; underFile ]) ExportCommand.Unwritable "a path below a regular file"
            let e = throwsAs<IOException> (fun () -> CheckpointOnnxExport.Export(ck, underFile) |> ignore) "the API's exception"
            Expect.stringContains e.Message underFile "names the path"
            Directory.CreateDirectory(dir.File "a-directory") |> ignore
            Expect.equal (export [ "--checkpoint"; ck; "--out"; dir.File "a-directory" ]) ExportCommand.Unwritable "a directory as the output"
            Expect.isEmpty (others dir.Path [ "c.safetensors"; "plain-file" ]) "no temporary left"
            Expect.isEmpty (Directory.GetFiles(dir.File "a-directory")) "nothing inside the directory"
        testCase "usage errors exit 2" <| fun () ->
            Expect.equal (export [ "--out"; "x.onnx" ]) ExportCommand.Usage "no checkpoint"
            Expect.equal (export [ "--checkpoint"; "c" ]) ExportCommand.Usage "no output"
            Expect.equal (export [ "--checkpoint"; "c"; "--out"; "o"; "--model"; "resnet" ]) ExportCommand.Usage "unknown model"
            Expect.equal (export [ "--checkpoint"; "c"; "--out"; "o"; "--bogus" ]) ExportCommand.Usage "unknown option"
            Expect.equal (ExportCommand.Run [| "export"; "tflite" |]) ExportCommand.Usage "unknown format"
            Expect.equal (export [ "--checkpoint"; "c"; "--out"; "o"; "--run"; "-3" ]) ExportCommand.Usage "a negative run id"
        testCase "initlab export onnx --help documents every option and the exit codes" <| fun () ->
            let code, out, _ = InitLab.Host.Tests.Training.TrainCommandTests.run [| "export"; "onnx"; "--help" |]
            Expect.equal code 0 "help exits 0"
            for option in [ "--checkpoint"; "--out"; "--model"; "--softmax"; "--run"; "--store" ] do
                Expect.stringContains out option $"help lists {option}"
            Expect.stringContains out "paper001-lenet" "the registry's networks are the --model choices"
            Expect.stringContains out "3 a layer has no ONNX form" "and the exit codes"
    ]
