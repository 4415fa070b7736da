module InitLab.Host.Tests.Store.CheckpointTests

open System
open System.Collections.Generic
open System.IO
open Expecto
open InitLab.Store
open InitLab.Tests.StoreWriter
open InitLab.Host.Tests.Store.StoreTestSupport

let sample iteration =
    CheckpointData(
        iteration,
        [ NamedTensor.Of("conv1.weight", [| 6L; 1L; 5L; 5L |], Array.init 150 (fun i -> float32 i * 0.01f - 0.7f))
          NamedTensor.Of("conv1.bias", [| 6L |], Array.zeroCreate<float32> 6) ],
        [ NamedTensor.Of("conv1.weight.m", [| 6L; 1L; 5L; 5L |], Array.init 150 (fun i -> float i * 1e-3))
          NamedTensor.Of("step", [||], [| iteration |]) ],
        [ NamedTensor.Of("init", [| 4L |], [| 1L; -2L; Int64.MaxValue; 0L |])
          NamedTensor.Of("shuffle", [| 8L |], [| 0uy .. 7uy |]) ],
        readOnlyDict [ "model", "lenet5"; "seed", "42" ])

[<Tests>]
let tests =
    testList "Store.Checkpoint" [
        testCase "a save removes temporaries of writers that died mid-save and keeps a live writer's" <| fun () ->
            use dir = new TempDir()
            let path = dir.File "c.safetensors"
            // a process id no process has: a child that has already exited
            let gone =
                use p = startDotnet [ "--version" ]
                p.WaitForExit()
                p.Id
            let stale = dir.File $".c.safetensors.{gone}.{Guid.NewGuid():N}.tmp"
            let live = dir.File $".c.safetensors.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp"
            let other = dir.File $".other.safetensors.{gone}.{Guid.NewGuid():N}.tmp"
            for f in [ stale; live; other ] do File.WriteAllText(f, "partial")
            Checkpoint.Save(path, sample 1L)
            Expect.isFalse (File.Exists stale) "a dead writer's temporary is removed"
            Expect.isTrue (File.Exists live) "a live writer's temporary is kept"
            Expect.isTrue (File.Exists other) "temporaries of other files are not touched"
            Expect.equal (Checkpoint.Load path).Iteration 1L "the save itself succeeded"
        testCase "parameters, optimiser and generator state, iteration and metadata round-trip" <| fun () ->
            use dir = new TempDir()
            let path = dir.File "c.safetensors"
            let data = sample 1234L
            Checkpoint.Save(path, data)
            let back = Checkpoint.Load path
            Expect.equal back.Iteration 1234L "iteration"
            Expect.sequenceEqual back.Parameters data.Parameters "parameters"
            Expect.sequenceEqual back.OptimizerState data.OptimizerState "optimiser state"
            Expect.sequenceEqual back.GeneratorState data.GeneratorState "generator state"
            Expect.sequenceEqual (back.Metadata |> Seq.sortBy _.Key) (data.Metadata |> Seq.sortBy _.Key) "user metadata only"
            // One plain safetensors file with prefixed names underneath.
            let raw = SafeTensors.Read path
            Expect.sequenceEqual (raw.Tensors |> Seq.map _.Name)
                [ "param/conv1.weight"; "param/conv1.bias"; "optim/conv1.weight.m"; "optim/step"; "rng/init"; "rng/shuffle" ] "prefixed names"
            Expect.equal raw.Metadata["initlab.iteration"] "1234" "iteration in metadata"

        testCase "impossible checkpoints are refused before writing" <| fun () ->
            use dir = new TempDir()
            let path = dir.File "c.safetensors"
            let bad = CheckpointData(-1L, [], [], [], null)
            Expect.stringContains (throwsOf<ArgumentException> (fun () -> Checkpoint.Save(path, bad))).Message "-1" "names the value"
            let reserved = CheckpointData(1L, [], [], [], readOnlyDict [ "initlab.iteration", "5" ])
            Expect.stringContains (throwsOf<ArgumentException> (fun () -> Checkpoint.Save(path, reserved))).Message "initlab.iteration" "names the key"
            Expect.isFalse (File.Exists path) "nothing written"

        testCase "files that are not InitLab checkpoints are refused naming what is wrong" <| fun () ->
            use dir = new TempDir()
            let plain = dir.File "plain.safetensors"
            SafeTensors.Write(plain, [ NamedTensor.Of("w", [| 1L |], [| 1.0f |]) ], null)
            let e = throwsOf<CheckpointFormatException> (fun () -> Checkpoint.Load plain |> ignore)
            Expect.stringContains e.Message "not an InitLab checkpoint" "says why"
            let stray = dir.File "stray.safetensors"
            SafeTensors.Write(stray, [ NamedTensor.Of("w", [| 1L |], [| 1.0f |]) ],
                              readOnlyDict [ "initlab.format", "checkpoint"; "initlab.version", "1"; "initlab.iteration", "3" ])
            let e = throwsOf<CheckpointFormatException> (fun () -> Checkpoint.Load stray |> ignore)
            Expect.equal e.TensorName "w" "names the tensor without a prefix"
            let badIteration = dir.File "it.safetensors"
            SafeTensors.Write(badIteration, [], readOnlyDict [ "initlab.format", "checkpoint"; "initlab.version", "1"; "initlab.iteration", "-3" ])
            let e = throwsOf<CheckpointFormatException> (fun () -> Checkpoint.Load badIteration |> ignore)
            Expect.stringContains e.Message "'-3'" "names the value"

        testSequenced (testCase "a process killed while saving in a loop leaves the previous checkpoint loadable and intact" (fun () ->
            use dir = new TempDir()
            let path = dir.File "last.safetensors"
            let floats = 4_000_000 // 16 MB: a save takes long enough to be interrupted
            let mutable interrupted, round = 0, 0
            // Kills that land between saves prove little, so go on until two landed inside one (at most 8 rounds).
            while interrupted < 2 && round < 8 do
                round <- round + 1
                let before = if File.Exists path then (Checkpoint.Load path).Iteration else 0L
                use p = startWriter [ "checkpoint"; path; string floats; string (before + 1L) ]
                // Let the child complete at least two saves in this round, then kill it during the next.
                let mutable saves = 0
                while saves < 2 do
                    match p.StandardOutput.ReadLine() with
                    | null -> failtestf "writer exited early: %s" (p.StandardError.ReadToEnd())
                    | line when line.StartsWith "saved" -> saves <- saves + 1
                    | _ -> ()
                // Aim for the middle of a save: kill as soon as the temporary file of the next one exists.
                let deadline = DateTime.UtcNow.AddSeconds 10.0
                while Directory.GetFiles(dir.Path, "*.tmp").Length = 0 && DateTime.UtcNow < deadline do
                    Threading.Thread.SpinWait 1000
                p.Kill true
                p.WaitForExit()
                let leftovers = Directory.GetFiles(dir.Path, "*.tmp")
                if leftovers.Length > 0 then interrupted <- interrupted + 1
                for f in leftovers do File.Delete f
                let c = Checkpoint.Load path
                Expect.isGreaterThan c.Iteration (before + 1L) $"round {round}: the checkpoint is at least the second save of this round"
                let w = (c.Parameters |> Seq.exactlyOne).Data :?> float32[]
                Expect.equal w.Length floats "full parameter tensor"
                let mismatch = w |> Array.mapi (fun k v -> v <> Program.CheckpointValue(c.Iteration, k)) |> Array.tryFindIndex id
                Expect.isNone mismatch $"round {round}: every value belongs to iteration {c.Iteration}"
                let m = (c.OptimizerState |> Seq.exactlyOne).Data :?> float[]
                Expect.equal m[999] (float c.Iteration + 999.0) "optimiser state of the same iteration"
                Expect.equal ((c.GeneratorState |> Seq.exactlyOne).Data :?> int64[]) [| c.Iteration; -c.Iteration |] "generator state"
            printfn "checkpoint kill test: %d of %d kills interrupted a save in progress" interrupted round
            Expect.isGreaterThan interrupted 0 "at least one kill landed inside a save"))
    ]
