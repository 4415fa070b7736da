module InitLab.Host.Tests.Training.TrainRunLifecycleTests

open System
open System.IO
open System.Threading
open Expecto
open InitLab.Store
open InitLab.Host.Tests.Store.StoreTestSupport
open InitLab.Host.Tests.Training.TrainCommandTests
open InitLab.Host.Tests.Training.TrainHostileInputTests

let args (dir: TempDir) (extra: string list) =
    [ "train"; "--data"; "synthetic"; "--iterations"; "6"; "--batch"; "16"; "--quiet"; "--store"; dir.File "runs.db" ] @ extra |> overriding |> List.toArray

let runsOf (dir: TempDir) =
    use s = RunStore.Open(dir.File "runs.db")
    s.GetRuns "cli" |> Seq.toList

/// `initlab train` in-process with a cancellation token (what Ctrl-C or SIGTERM fires).
let runCancelled (argv: string[]) =
    let given = Collections.Generic.Dictionary<string, string>()
    let mutable i = 1
    while i < argv.Length do
        let key = argv[i].TrimStart('-')
        if key = "quiet" then given[key] <- "true"; i <- i + 1
        else given[key] <- argv[i + 1]; i <- i + 2
    use cts = new CancellationTokenSource()
    cts.Cancel()
    let err = new StringWriter()
    let old = Console.Error
    Console.SetError err
    try InitLab.Cli.TrainCommand.Run(given, cts.Token), err.ToString()
    finally Console.SetError old

/// Polls `condition` every 10 ms for up to `ms`.
let waitFor (ms: int) (condition: unit -> bool) =
    let clock = Diagnostics.Stopwatch.StartNew()
    while not (condition ()) && clock.ElapsedMilliseconds < int64 ms do Thread.Sleep 10
    condition ()

[<Tests>]
let tests =
    testSequenced <| testList "training.cli.lifecycle" [
        test "a train process killed with SIGKILL reads interrupted; the same command continues its row and ends with the uninterrupted weights, bit for bit" {
            use dir = new TempDir()
            let common = [ "--iterations"; "300"; "--threads"; "2"; "--checkpoint-interval"; "5" ]
            // the uninterrupted reference, in its own store
            use refDir = new TempDir()
            let refCk = refDir.File "ck.safetensors"
            let code, _, err = run (args refDir (common @ [ "--checkpoint"; refCk ]))
            Expect.equal code 0 $"reference run (stderr: {err})"
            let ck = dir.File "ck.safetensors"
            let argv = args dir (common @ [ "--checkpoint"; ck ])
            let child = startDotnet (Path.Combine(testBinDir, "initlab.dll") :: List.ofArray argv)
            child.StandardOutput.ReadToEndAsync() |> ignore
            child.StandardError.ReadToEndAsync() |> ignore
            let checkpointed = waitFor 120_000 (fun () -> File.Exists ck || child.HasExited)
            if not child.HasExited then
                child.Kill() // SIGKILL: nothing in the child runs any more
            child.WaitForExit()
            if not checkpointed || child.ExitCode = 0 then
                skiptest "the child finished before the kill could land (machine too fast for 300 iterations)"
            let killed = runsOf dir
            Expect.equal killed.Length 1 "one row"
            Expect.equal killed[0].Status RunStatus.Interrupted "the killed run reads interrupted"
            let code, _, err = run argv
            Expect.equal code 0 $"resumed (stderr: {err})"
            let after = runsOf dir
            Expect.equal after.Length 1 "its own row continued, none added"
            Expect.equal after[0].Status RunStatus.Finished "finished"
            let final, reference = Checkpoint.Load ck, Checkpoint.Load refCk
            Expect.equal final.Iteration reference.Iteration "same iteration"
            Expect.isTrue (Seq.forall2 (fun (a: InitLab.Kernel.StateBuffer) b -> a = b) final.Parameters reference.Parameters) "weights bit for bit"
            Expect.isTrue (Seq.forall2 (fun (a: InitLab.Kernel.StateBuffer) b -> a = b) final.OptimizerState reference.OptimizerState) "optimiser state bit for bit"
        }
        test "rerunning a finished command adds no row, says so and exits 0" {
            use dir = new TempDir()
            let code, _, err = run (args dir [])
            Expect.equal code 0 $"first run (stderr: {err})"
            let code, out, err = run (args dir [])
            Expect.equal code 0 $"rerun (stderr: {err})"
            Expect.stringContains out "already finished" "says so"
            let runs = runsOf dir
            Expect.equal runs.Length 1 "still one row"
            Expect.equal runs[0].Status RunStatus.Finished "finished"
        }
        test "a cancelled run reads interrupted; the same command then continues its own row to finished" {
            use dir = new TempDir()
            let ck = dir.File "ck.safetensors"
            let code, err = runCancelled (args dir [ "--checkpoint"; ck ])
            Expect.equal code 130 $"interrupted exit code (stderr: {err})"
            let runs = runsOf dir
            Expect.equal runs.Length 1 "one row"
            Expect.equal runs[0].Status RunStatus.Interrupted "interrupted"
            let code, _, err = run (args dir [ "--checkpoint"; ck ])
            Expect.equal code 0 $"resumed (stderr: {err})"
            Expect.stringContains err $"continuing run {runs[0].Id}" "continues its own run"
            let after = runsOf dir
            Expect.equal after.Length 1 "no row added"
            Expect.equal after[0].Status RunStatus.Finished "finished"
            Expect.equal after[0].Attempts 2 "second attempt"
        }
        test "Adam at lr 1e6 ends failed: diverged at iteration N, and writes no checkpoint from after the first bad step" {
            use dir = new TempDir()
            let ck = dir.File "ck.safetensors"
            let code, _, err = run (args dir [ "--optimizer"; "adam"; "--lr"; "1e6"; "--checkpoint"; ck; "--checkpoint-interval"; "1" ])
            Expect.equal code 1 $"failure exit code (stderr: {err})"
            let runs = runsOf dir
            Expect.equal runs[0].Status RunStatus.Failed "failed"
            Expect.stringStarts (defaultArg (Option.ofObj runs[0].Message) "") "diverged at iteration " "the reason"
            Expect.isFalse (File.Exists ck) "the checkpoint after step 1 held weights already bad: never written"
        }
        test "SGD at lr 1e6 resumed from a good checkpoint fails and leaves that checkpoint as it was" {
            use dir = new TempDir()
            let ck = dir.File "ck.safetensors"
            let code, _, err = run (args dir [ "--optimizer"; "sgd:0.9"; "--lr"; "0.01"; "--checkpoint"; ck ])
            Expect.equal code 0 $"good run (stderr: {err})"
            let good = File.ReadAllBytes ck
            let code, _, err =
                run (args dir [ "--optimizer"; "sgd:0.9"; "--lr"; "1e6"; "--checkpoint"; ck; "--checkpoint-interval"; "1"; "--allow-config-change"; "--iterations"; "20" ])
            Expect.equal code 1 $"diverged (stderr: {err})"
            Expect.stringContains err "diverged at iteration" "says diverged"
            Expect.stringContains err ck "names the checkpoint kept"
            Expect.equal (File.ReadAllBytes ck) good "the last good checkpoint is untouched"
        }
        test "resuming under another learning rate is refused naming it; --allow-config-change resumes and records the change" {
            use dir = new TempDir()
            let ck = dir.File "ck.safetensors"
            let code, _, err = run (args dir [ "--optimizer"; "sgd:0.9"; "--lr"; "0.01"; "--checkpoint"; ck ])
            Expect.equal code 0 $"good run (stderr: {err})"
            let more = [ "--iterations"; "8"; "--optimizer"; "sgd:0.9"; "--lr"; "0.02"; "--checkpoint"; ck; "--batch"; "8" ]
            let code, _, err = run (args dir more)
            Expect.equal code 2 "refused"
            Expect.stringContains err "lr 0.01 → 0.02" "names the learning rate"
            Expect.stringContains err "batch 16 → 8" "names the batch size"
            let code, _, err = run (args dir (more @ [ "--allow-config-change" ]))
            Expect.equal code 0 $"allowed (stderr: {err})"
            let last = runsOf dir |> List.last
            Expect.equal last.Status RunStatus.Finished "finished"
            Expect.stringContains (defaultArg (Option.ofObj last.Message) "") "lr 0.01 → 0.02" "the change is recorded in the run"
            use s = RunStore.Open(dir.File "runs.db")
            Expect.equal (s.GetMetrics(last.Id, "resume/config_changed").Count) 1 "and as a metric"
        }
    ]
