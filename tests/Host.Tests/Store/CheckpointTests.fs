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
        [ tensor "conv1.weight" [| 6; 1; 5; 5 |] (Array.init 150 (fun i -> float32 i * 0.01f - 0.7f))
          tensor "conv1.bias" [| 6 |] (Array.zeroCreate<float32> 6) ],
        [ tensor "conv1.weight.m" [| 6; 1; 5; 5 |] (Array.init 150 (fun i -> float i * 1e-3))
          tensor "step" [||] [| iteration |] ],
        [ tensor "init" [| 4 |] [| 1L; -2L; Int64.MaxValue; 0L |]
          tensor "shuffle" [| 8 |] [| 0uy .. 7uy |] ],
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
            SafeTensors.Write(plain, [ tensor "w" [| 1 |] [| 1.0f |] ], null)
            let e = throwsOf<CheckpointFormatException> (fun () -> Checkpoint.Load plain |> ignore)
            Expect.stringContains e.Message "not an InitLab checkpoint" "says why"
            let stray = dir.File "stray.safetensors"
            SafeTensors.Write(stray, [ tensor "w" [| 1 |] [| 1.0f |] ],
                              readOnlyDict [ "initlab.format", "checkpoint"; "initlab.version", "1"; "initlab.iteration", "3" ])
            let e = throwsOf<CheckpointFormatException> (fun () -> Checkpoint.Load stray |> ignore)
            Expect.equal e.TensorName "w" "names the tensor without a prefix"
            let badIteration = dir.File "it.safetensors"
            SafeTensors.Write(badIteration, [], readOnlyDict [ "initlab.format", "checkpoint"; "initlab.version", "1"; "initlab.iteration", "-3" ])
            let e = throwsOf<CheckpointFormatException> (fun () -> Checkpoint.Load badIteration |> ignore)
            Expect.stringContains e.Message "'-3'" "names the value"

        testSequenced (testCase "a process killed mid-save (paused at a known point) leaves the previous checkpoint loadable and intact" (fun () ->
            use dir = new TempDir()
            let path = dir.File "last.safetensors"
            let floats = 4_000_000 // 16 MB
            let points = [ "before-flush"; "before-rename"; "before-flush"; "before-rename" ]
            /// Waits until the writer is paused at `point` and returns its marker file (deleting it resumes the writer).
            let pausedAt (p: Diagnostics.Process) (point: string) =
                let marker = Path.Combine(dir.Path, $"{point}.{p.Id}")
                let deadline = DateTime.UtcNow.AddSeconds 60.0
                while not (File.Exists marker) && not p.HasExited && DateTime.UtcNow < deadline do
                    Threading.Thread.Sleep 2
                if not (File.Exists marker) then failtestf "writer never paused at %s (exited: %b): %s" point p.HasExited (if p.HasExited then p.StandardError.ReadToEnd() else "")
                marker
            for round, point in List.indexed points do
                let before = if File.Exists path then (Checkpoint.Load path).Iteration else 0L
                use p = startDotnetWith [ AtomicFile.PauseVariable, $"{point}:{dir.Path}" ] [ Path.Combine(testBinDir, "StoreWriter.dll"); "checkpoint"; path; string floats; string (before + 1L) ]
                // Two saves complete (each resumed at the pause point), then the third is killed while paused.
                for _ in 1 .. 2 do
                    File.Delete(pausedAt p point)
                    match p.StandardOutput.ReadLine() with
                    | line when not (isNull line) && line.StartsWith "saved" -> ()
                    | line -> failtestf "round %d: expected a 'saved' line, got %A: %s" round line (p.StandardError.ReadToEnd())
                let marker = pausedAt p point
                p.Kill true
                p.WaitForExit()
                File.Delete marker
                let leftovers = Directory.GetFiles(dir.Path, "*.tmp")
                Expect.equal leftovers.Length 1 $"round {round} ({point}): the killed save left its temporary file"
                File.Delete leftovers[0]
                let c = Checkpoint.Load path
                Expect.equal c.Iteration (before + 2L) $"round {round} ({point}): the checkpoint is the last completed save"
                let w = (c.Parameters |> Seq.exactlyOne).Data :?> float32[]
                Expect.equal w.Length floats "full parameter tensor"
                let mismatch = w |> Array.mapi (fun k v -> v <> Program.CheckpointValue(c.Iteration, k)) |> Array.tryFindIndex id
                Expect.isNone mismatch $"round {round}: every value belongs to iteration {c.Iteration}"
                let m = (c.OptimizerState |> Seq.exactlyOne).Data :?> float[]
                Expect.equal m[999] (float c.Iteration + 999.0) "optimiser state of the same iteration"
                Expect.equal ((c.GeneratorState |> Seq.exactlyOne).Data :?> int64[]) [| c.Iteration; -c.Iteration |] "generator state"
            printfn "checkpoint kill test: %d of %d kills landed inside a save (paused before flush or before rename)" points.Length points.Length))
    ]
