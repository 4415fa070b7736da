module InitLab.Host.Tests.Training.TrainHostileInputTests

open System
open System.IO
open Expecto
open InitLab.Store
open InitLab.Host.Tests.Store.StoreTestSupport
open InitLab.Host.Tests.Data.DataTestSupport
open InitLab.Host.Tests.Training.TrainCommandTests

/// `train` arguments with later options overriding earlier ones (so a case can change one option of a base line).
let overriding (args: string list) =
    let flags = set [ "--quiet"; "--allow-config-change"; "--invert" ]
    let rec pairs acc = function
        | [] -> List.rev acc
        | (f: string) :: rest when flags.Contains f -> pairs ((f, None) :: acc) rest
        | (k: string) :: v :: rest when k.StartsWith "--" -> pairs ((k, Some v) :: acc) rest
        | t :: rest -> pairs ((t, None) :: acc) rest
    let ps = pairs [] args
    let last = ps |> List.mapi (fun i (k, _) -> k, i) |> Map.ofList
    [ for i, (k, v) in List.indexed ps do
        if last[k] = i then
            yield k
            match v with Some v -> yield v | None -> () ]

/// One hostile input: how to lay it out in a fresh folder, the train arguments, the exit code and a fragment the one message must hold.
type Case = { Name: string; Setup: string -> string list; Code: int; Fragment: string -> string }

let synthetic (dir: string) extra =
    [ "train"; "--data"; "synthetic"; "--iterations"; "2"; "--batch"; "16"; "--quiet"; "--store"; Path.Combine(dir, "runs.db") ] @ extra

let mnist (dir: string) extra =
    [ "train"; "--data"; "mnist"; "--data-root"; dir; "--iterations"; "2"; "--batch"; "8"; "--quiet"; "--store"; Path.Combine(dir, "runs.db") ] @ extra

/// A MNIST folder of 64 + 16 images of 28×28 in which `damage` spoils one file.
let badMnist (name: string) (damage: byte[] -> byte[]) (dir: string) =
    writeMiniMnist dir false 64 16 28 28 |> ignore
    let path = Path.Combine(dir, name)
    File.WriteAllBytes(path, damage (File.ReadAllBytes path))
    mnist dir []

/// A good checkpoint of a 2-iteration synthetic run, then `edit` applied to it; returns the arguments resuming it.
let editedCheckpoint (edit: CheckpointData -> CheckpointData) (extra: string list) (dir: string) =
    let ck = Path.Combine(dir, "ck.safetensors")
    let code, _, err = run (synthetic dir [ "--checkpoint"; ck ] |> overriding |> List.toArray)
    if code <> 0 then failtestf "the good run failed (%d): %s" code err
    Checkpoint.Save(ck, edit (Checkpoint.Load ck))
    synthetic dir ([ "--checkpoint"; ck; "--iterations"; "3" ] @ extra)

let poison (tensors: Collections.Generic.IReadOnlyList<InitLab.Kernel.StateBuffer>) =
    tensors |> Seq.mapi (fun i t ->
        if i = 0 then
            let data = (t.Data :?> float32[]) |> Array.copy
            data[0] <- Single.NaN
            tensor t.Name t.Shape data
        else t) |> Seq.toArray :> Collections.Generic.IReadOnlyList<_>

let file (name: string) (bytes: byte[]) (dir: string) =
    let p = Path.Combine(dir, name)
    File.WriteAllBytes(p, bytes)
    p

let cases : Case list = [
    // data files
    { Name = "MNIST test images with a bad magic"; Code = 3; Fragment = (fun _ -> "t10k-images-idx3-ubyte")
      Setup = badMnist "t10k-images-idx3-ubyte" (fun b -> b[2] <- 9uy; b) }
    { Name = "MNIST training images truncated"; Code = 3; Fragment = (fun _ -> "train-images-idx3-ubyte")
      Setup = badMnist "train-images-idx3-ubyte" (fun b -> b[.. b.Length / 2]) }
    { Name = "MNIST training labels with a bad magic"; Code = 3; Fragment = (fun _ -> "train-labels-idx1-ubyte")
      Setup = badMnist "train-labels-idx1-ubyte" (fun b -> b[3] <- 3uy; b) }
    { Name = "MNIST training images empty"; Code = 3; Fragment = (fun _ -> "train-images-idx3-ubyte")
      Setup = badMnist "train-images-idx3-ubyte" (fun _ -> [||]) }
    { Name = "MNIST header says 14×56 (same bytes)"; Code = 3; Fragment = (fun _ -> "train-images-idx3-ubyte")
      Setup = badMnist "train-images-idx3-ubyte" (fun b -> b[11] <- 14uy; b[15] <- 56uy; b) }
    { Name = "MNIST labels count differs from images"; Code = 3; Fragment = (fun _ -> "train-labels-idx1-ubyte")
      Setup = badMnist "train-labels-idx1-ubyte" (fun b -> b[7] <- 63uy; b[.. b.Length - 2]) }
    { Name = "MNIST label out of range"; Code = 3; Fragment = (fun _ -> "t10k-labels-idx1-ubyte")
      Setup = badMnist "t10k-labels-idx1-ubyte" (fun b -> b[8] <- 200uy; b) }
    { Name = "an explicit --data-root that does not exist"; Code = 2; Fragment = (fun d -> Path.Combine(d, "nowhere"))
      Setup = fun d -> mnist (Path.Combine(d, "nowhere")) [ "--store"; Path.Combine(d, "runs.db") ] }
    // checkpoints
    { Name = "checkpoint of random bytes"; Code = 3; Fragment = (fun d -> Path.Combine(d, "ck.safetensors"))
      Setup = fun d -> synthetic d [ "--checkpoint"; file "ck.safetensors" (Array.init 300 byte) d ] }
    { Name = "checkpoint empty"; Code = 3; Fragment = (fun d -> Path.Combine(d, "ck.safetensors"))
      Setup = fun d -> synthetic d [ "--checkpoint"; file "ck.safetensors" [||] d ] }
    { Name = "checkpoint header length beyond the file"; Code = 3; Fragment = (fun d -> Path.Combine(d, "ck.safetensors"))
      Setup = fun d -> synthetic d [ "--checkpoint"; file "ck.safetensors" (Array.append (BitConverter.GetBytes 1_000_000L) "{}"B) d ] }
    { Name = "checkpoint header not JSON"; Code = 3; Fragment = (fun d -> Path.Combine(d, "ck.safetensors"))
      Setup = fun d -> synthetic d [ "--checkpoint"; file "ck.safetensors" (Array.append (BitConverter.GetBytes 5L) "{{{{{"B) d ] }
    { Name = "foreign safetensors (no InitLab marker)"; Code = 3; Fragment = (fun _ -> "not an InitLab checkpoint")
      Setup = fun d ->
        let p = Path.Combine(d, "ck.safetensors")
        SafeTensors.Write(p, [ tensor "weight" [| 2 |] [| 1.0f; 2.0f |] ], Collections.Generic.Dictionary<string, string>())
        synthetic d [ "--checkpoint"; p ] }
    { Name = "checkpoint with NaN in the optimiser state"; Code = 3; Fragment = (fun _ -> "optimiser state tensor")
      Setup = editedCheckpoint (fun c -> CheckpointData(c.Iteration, c.Parameters, poison c.OptimizerState, c.GeneratorState, c.Metadata)) [] }
    { Name = "checkpoint with NaN in a parameter"; Code = 3; Fragment = (fun d -> Path.Combine(d, "ck.safetensors"))
      Setup = editedCheckpoint (fun c -> CheckpointData(c.Iteration, poison c.Parameters, c.OptimizerState, c.GeneratorState, c.Metadata)) [] }
    { Name = "checkpoint missing a parameter"; Code = 3; Fragment = (fun d -> Path.Combine(d, "ck.safetensors"))
      Setup = editedCheckpoint (fun c -> CheckpointData(c.Iteration, Seq.tail c.Parameters |> Seq.toArray, c.OptimizerState, c.GeneratorState, c.Metadata)) [] }
    { Name = "checkpoint of another model (twolayer for lenet5)"; Code = 3; Fragment = (fun d -> Path.Combine(d, "ck.safetensors"))
      Setup = fun d ->
        let ck = Path.Combine(d, "ck.safetensors")
        let code, _, err = run (synthetic d [ "--model"; "twolayer"; "--checkpoint"; ck; "--allow-config-change" ] |> overriding |> List.toArray)
        if code <> 0 then failtestf "the twolayer run failed (%d): %s" code err
        synthetic d [ "--checkpoint"; ck; "--iterations"; "3"; "--allow-config-change" ] }
    { Name = "resume under another learning rate"; Code = 2; Fragment = (fun _ -> "lr")
      Setup = fun d ->
        let args = editedCheckpoint id [] d
        args @ [ "--optimizer"; "sgd:0.9"; "--lr"; "0.5" ] }
    { Name = "checkpoint path is a directory"; Code = 2; Fragment = (fun d -> Path.Combine(d, "ckdir"))
      Setup = fun d -> Directory.CreateDirectory(Path.Combine(d, "ckdir")) |> ignore; synthetic d [ "--checkpoint"; Path.Combine(d, "ckdir") ] }
    { Name = "checkpoint folder is a file (unwritable)"; Code = 2; Fragment = (fun d -> Path.Combine(d, "plain", "ck.safetensors"))
      Setup = fun d -> file "plain" [| 1uy |] d |> ignore; synthetic d [ "--checkpoint"; Path.Combine(d, "plain", "ck.safetensors") ] }
    // stores
    { Name = "store is a text file"; Code = 4; Fragment = (fun d -> "notes.txt")
      Setup = fun d -> [ yield! synthetic d []; "--store"; file "notes.txt" "these are not runs\n"B d ] }
    { Name = "store is a directory"; Code = 4; Fragment = (fun d -> Path.Combine(d, "storedir"))
      Setup = fun d -> Directory.CreateDirectory(Path.Combine(d, "storedir")) |> ignore; [ yield! synthetic d []; "--store"; Path.Combine(d, "storedir") ] }
    { Name = "store is a SQLite header over garbage"; Code = 4; Fragment = (fun d -> "fake.db")
      Setup = fun d -> [ yield! synthetic d []; "--store"; file "fake.db" (Array.append "SQLite format 3\000"B (Array.init 4000 (fun i -> byte (i * 7)))) d ] }
    { Name = "store folder is a file"; Code = 4; Fragment = (fun d -> "plain")
      Setup = fun d -> file "plain" [| 1uy |] d |> ignore; [ yield! synthetic d []; "--store"; Path.Combine(d, "plain", "runs.db") ] }
    // impossible options
    { Name = "--lr 0"; Code = 2; Fragment = (fun _ -> "--lr"); Setup = fun d -> synthetic d [ "--lr"; "0" ] }
    { Name = "--lr -1"; Code = 2; Fragment = (fun _ -> "--lr"); Setup = fun d -> synthetic d [ "--lr"; "-1" ] }
    { Name = "--lr NaN"; Code = 2; Fragment = (fun _ -> "--lr"); Setup = fun d -> synthetic d [ "--lr"; "NaN" ] }
    { Name = "--solver with lr=0"; Code = 2; Fragment = (fun _ -> "lr"); Setup = fun d -> synthetic d [ "--solver"; "sgd:0.9 lr=0" ] }
    { Name = "--batch larger than the training set"; Code = 2; Fragment = (fun _ -> "--batch 100000")
      Setup = fun d -> synthetic d [ "--batch"; "100000" ] }
    { Name = "--iterations 0"; Code = 2; Fragment = (fun _ -> "--iterations"); Setup = fun d -> synthetic d [ "--iterations"; "0" ] }
    { Name = "--threads 0"; Code = 2; Fragment = (fun _ -> "--threads"); Setup = fun d -> synthetic d [ "--threads"; "0" ] }
]

[<Tests>]
let tests =
    testSequenced <| testList "training.cli.hostile" [
        test "every hostile input ends with one message naming the fault, a documented exit code and no stack trace" {
            let failures = Collections.Generic.List<string>()
            for c in cases do
                use dir = new TempDir()
                let args = overriding (c.Setup dir.Path)
                let code, _, err = run (List.toArray args)
                let fragment = c.Fragment dir.Path
                let lines = err.Split('\n', StringSplitOptions.RemoveEmptyEntries) |> Array.filter (fun l -> l.StartsWith "initlab")
                printfn "  %-48s exit %d: %s" c.Name code (if lines.Length > 0 then lines[0] else err.Trim().Split('\n')[0])
                if code <> c.Code then failures.Add $"{c.Name}: exit {code}, expected {c.Code}; stderr: {err}"
                elif not (err.Contains fragment) then failures.Add $"{c.Name}: the message does not name '{fragment}': {err}"
                elif err.Contains "   at " then failures.Add $"{c.Name}: a stack trace: {err}"
                elif c.Code <> 2 && lines.Length <> 1 then failures.Add $"{c.Name}: {lines.Length} messages, expected one: {err}"
            printfn "train hostile inputs: %d of %d handled" (cases.Length - failures.Count) cases.Length
            Expect.isGreaterThanOrEqual cases.Length 25 "at least 25 hostile inputs"
            Expect.isEmpty failures "every case"
        }
    ]
