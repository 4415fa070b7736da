module InitLab.Host.Tests.Sweeps.SweepRunTests

open System
open System.Diagnostics
open System.IO
open Expecto
open InitLab.Store
open InitLab.Sweeps
open InitLab.Host.Tests.Store.StoreTestSupport
open InitLab.Host.Tests.Store.StoreBackends
open InitLab.Host.Tests.Sweeps.SweepTestSupport

/// Finished runs per config hash of a study.
let finishedPerHash (store: string) (study: string) =
    use s = RunStore.Open store
    s.GetRuns study
    |> Seq.filter (fun r -> r.Status = RunStatus.Finished)
    |> Seq.countBy (fun r -> r.ConfigHash)
    |> Map.ofSeq

let skipTest (b: Backend) =
    storeTest b "one task trains, then is skipped because it is done; nothing is duplicated" <| fun fx ->
            let m = (tinySweep "one" 1 [ 1; 2 ]).Plan(fx.Dir.File "sweep.json")
            use store = SweepStores.Open fx.Location
            let first = TaskExecutor.Run(m, 1, store, TaskRunOptions(1))
            Expect.equal first.Kind TaskOutcomeKind.Trained first.Message
            let sw = Stopwatch.StartNew()
            let second = TaskExecutor.Run(m, 1, store, TaskRunOptions(1))
            sw.Stop()
            printfn "sweep: overhead of a skipped (done) task in-process: %.1f ms" sw.Elapsed.TotalMilliseconds
            Expect.equal second.Kind TaskOutcomeKind.Skipped second.Message
            Expect.equal second.RunId first.RunId "points at the finished run"
            let runs = store.GetRuns "one"
            Expect.equal runs.Count 1 "one run row"
            Expect.equal runs[0].Status RunStatus.Finished "finished"
            Expect.equal runs[0].ConfigHash m.Tasks[1].ConfigHash "the store's config hash is the task's"
            Expect.equal (ConfigHash.OfJson runs[0].ConfigJson) m.Tasks[1].ConfigHash "and the stored config hashes to it"
            Expect.equal (store.GetMetrics(runs[0].Id, "train/loss").Count) 20 "a loss per iteration"

let poolTest (b: Backend) =
    storeTest b "local pool: 8 tasks on 2 workers, one worker killed mid-task; the rerun resumes it and finishes each task once" <| fun fx ->
            let dir = fx.Dir
            let path = dir.File "sweep.json"
            let m = (tinySweep "pool" 2 [ 1; 2; 3; 4 ]).Plan(path)
            Expect.equal m.Tasks.Count 8 "8 tasks"
            let storePath = fx.Location
            let pause = dir.File "paused"
            let victim = 5
            let args = [ "sweep"; "run"; "--manifest"; path; "--workers"; "2"; "--store"; storePath ]
            let pool = startCli [ PausePoint.Variable, $"{victim}:10:{pause}" ] args
            let out = pool.StandardOutput.ReadToEndAsync()
            let err = pool.StandardError.ReadToEndAsync()
            // the victim's worker checkpoints at iteration 10 and waits at the pause point; kill -9 it there
            let paused = waitFor 180_000 (fun () -> File.Exists pause && File.ReadAllText(pause).Length > 0)
            if not paused then
                pool.Kill true
                failtest $"task {victim} never reached its pause point"
            let pid = int (File.ReadAllText pause)
            use worker = Process.GetProcessById pid
            worker.Kill() // SIGKILL
            worker.WaitForExit()
            if not (pool.WaitForExit 300_000) then
                pool.Kill true
                failtest "the pool did not finish within 5 minutes"
            Expect.equal pool.ExitCode 1 $"a killed worker fails the pass (stdout: {out.Result} stderr: {err.Result})"
            Expect.stringContains out.Result "signal 9" "the pool reports the kill"
            use s1 = SweepStores.Open storePath
            let rows = SweepStatus.Of(m, s1)
            Expect.equal rows[victim].State TaskState.Interrupted "the killed task is interrupted, not finished or failed"
            Expect.equal (rows |> Seq.filter (fun r -> r.State = TaskState.Done) |> Seq.length) 7 "the others finished"
            let killedRun = rows[victim].RunId.Value
            s1.Dispose()

            File.Delete pause
            let code, out2, err2 = finish 300_000 (startCli [] args)
            Expect.equal code 0 $"the rerun succeeds (stdout: {out2} stderr: {err2})"
            Expect.stringContains out2 "7 of 8 task(s) done; running 1" "only the killed task runs again"
            let perHash = finishedPerHash storePath "pool"
            Expect.equal perHash.Count 8 "every task finished"
            Expect.isTrue (perHash |> Map.forall (fun _ n -> n = 1)) "exactly once"
            use s = RunStore.Open storePath
            Expect.equal (s.GetRuns "pool").Count 8 "no extra rows: the resumed task continued its own"
            let resumed = s.GetRun killedRun
            Expect.equal resumed.Status RunStatus.Finished "the killed run finished"
            Expect.equal [ for p in s.GetMetrics(killedRun, TaskExecutor.ResumedFromMetric) -> p.Value ] [ 10.0 ] "resumed from its checkpoint at 10"
            Expect.equal (s.GetMetrics(killedRun, "train/loss").Count) 20 "one loss per iteration, none duplicated"

            // resuming is exact: the killed task's losses equal a fresh uninterrupted run of the same config
            use other = new TempDir()
            let m2 = (tinySweep "pool" 2 [ 1; 2; 3; 4 ]).Plan(other.File "sweep.json")
            use s2 = SweepStores.Open(other.File "runs.db")
            let fresh = TaskExecutor.Run(m2, victim, s2, TaskRunOptions(LocalPool.ThreadsFor(2, 0, Environment.ProcessorCount)))
            Expect.equal fresh.Kind TaskOutcomeKind.Trained fresh.Message
            Expect.equal [ for p in s.GetMetrics(killedRun, "train/loss") -> p.Value ]
                         [ for p in s2.GetMetrics(fresh.RunId.Value, "train/loss") -> p.Value ] "bit-identical losses"

            // status and the grouped comparison read the same store
            let code, out3, _ = runCli [ "sweep"; "status"; "--manifest"; path; "--store"; storePath ]
            Expect.equal code 0 "status"
            Expect.stringContains out3 "8 done, 0 running, 0 interrupted, 0 failed, 0 pending" "all done"
            let csv = dir.File "compare.csv"
            let code, _, err4 = runCli [ "runs"; "compare"; "--store"; storePath; "--study"; "pool"; "--metric"; "test/accuracy"; "--csv"; csv ]
            Expect.equal code 0 $"compare (stderr: {err4})"
            let lines = File.ReadAllLines csv
            Expect.equal lines.Length 3 "a header and one row per arm"
            let rows = RunComparison.Compare(s, "pool", [ "test/accuracy" ])
            for arm in [ "lr1"; "lr2" ] do
                let row = rows |> Seq.find (fun r -> r.Group = arm)
                Expect.equal row.Summary.N 4 "four seeds"
                let finals =
                    [ for r in s.GetRuns "pool" do
                        if r.Name.StartsWith(arm + "/") then
                            let acc = s.GetMetrics(r.Id, "test/accuracy")
                            yield acc[acc.Count - 1].Value ]
                Expect.floatClose Accuracy.veryHigh row.Summary.Mean (List.average finals) "mean of the final accuracies"
                let line = lines |> Array.find (fun l -> l.StartsWith $"pool,{arm},")
                Expect.stringContains line (row.Summary.Mean.ToString("R", Globalization.CultureInfo.InvariantCulture)) "the CSV holds the mean"

[<Tests>]
let tests =
    testSequenced <| testList "sweeps.run" [
        test "a task whose training fails is recorded as failed with the reason, never finished" {
            use dir = new TempDir()
            // a learning rate that makes the loss explode into NaN
            let m = Sweep("bad").Arm("hot", tinyConfigWith "sgd:0.9 lr=1e12" 20, [| 1 |]).Plan(dir.File "sweep.json")
            use store = SweepStores.Open(dir.File "runs.db")
            let o = TaskExecutor.Run(m, 0, store, TaskRunOptions(1))
            Expect.equal o.Kind TaskOutcomeKind.Failed o.Message
            let runs = store.GetRuns "bad"
            Expect.equal [ for r in runs -> r.Status ] [ RunStatus.Failed ] "failed, not finished"
            Expect.isTrue (runs[0].Message |> String.IsNullOrEmpty |> not) "with its reason"
            let rows = SweepStatus.Of(m, store)
            Expect.equal rows[0].State TaskState.Failed "status says failed"
        }
        test "bad input: index out of range, corrupt manifest, unusable store, missing sbatch — each its code, nothing stored lost" {
            use dir = new TempDir()
            let path = dir.File "sweep.json"
            let m = (tinySweep "bad-input" 1 [ 1; 2 ]).Plan(path)
            let storePath = dir.File "runs.db"
            let code, _, err = runCli [ "sweep"; "run"; "--manifest"; path; "--task-index"; "0"; "--store"; storePath; "--quiet" ]
            Expect.equal code 0 $"task 0 trains (stderr: {err})"
            let before = finishedPerHash storePath "bad-input"

            let code, _, err = runCli [ "sweep"; "run"; "--manifest"; path; "--task-index"; "2"; "--store"; storePath ]
            Expect.equal code 2 "index out of range is a usage error"
            Expect.stringContains err "task index 2 is out of range" "names the index"
            Expect.stringContains err "0..1" "and the range"

            let original = File.ReadAllText path
            File.WriteAllText(path, original.Replace("\"iterations\": 20", "\"iterations\": 2000"))
            let code, _, err = runCli [ "sweep"; "run"; "--manifest"; path; "--task-index"; "1"; "--store"; storePath ]
            Expect.equal code 3 "an edited manifest is bad input"
            Expect.stringContains err path "names the manifest"
            Expect.stringContains err "hash mismatch" "says why"
            File.WriteAllText(path, original)

            File.WriteAllText(dir.File "not-a-store.db", "this is not a database, it is text long enough to be read as a header")
            let code, _, err = runCli [ "sweep"; "status"; "--manifest"; path; "--store"; dir.File "not-a-store.db" ]
            Expect.equal code 4 "a file that is not a store"
            Expect.stringContains err "not-a-store.db" "names the store"
            File.WriteAllText(dir.File "blocker", "")
            let code, _, err = runCli [ "sweep"; "run"; "--manifest"; path; "--task-index"; "1"; "--store"; Path.Combine(dir.File "blocker", "runs.db") ]
            Expect.equal code 4 "a store under a file cannot be created"
            Expect.stringContains err "blocker" "names the store"
            let code, _, err = runCli [ "sweep"; "status"; "--manifest"; path; "--store"; "Host=127.0.0.1;Port=1;Database=x;Username=u;Password=secret" ]
            Expect.equal code 4 "a PostgreSQL server that is not there"
            Expect.stringContains err "127.0.0.1:1" "names the store"
            Expect.isFalse (err.Contains "secret") "without its password"

            // sbatch missing: the child's PATH holds no scheduler; the script is written and kept
            use empty = new TempDir()
            let p = startCli [ "PATH", empty.Path ] [ "sweep"; "submit"; "--slurm"; "--manifest"; path; "--store"; storePath ]
            let code, out, err = finish 60_000 p
            Expect.equal code 5 $"sbatch missing (stdout: {out})"
            Expect.stringContains err "sbatch" "names sbatch"
            Expect.isTrue (File.Exists(Path.Combine(m.WorkDirectory, "sweep.sbatch"))) "the script is kept"
            let script = File.ReadAllText(Path.Combine(m.WorkDirectory, "sweep.sbatch"))
            Expect.stringContains script "#SBATCH --array=0-1" "an array over the tasks"
            Expect.stringContains script "--task-index \"$SLURM_ARRAY_TASK_ID\"" "array index → task index"

            Expect.equal (finishedPerHash storePath "bad-input") before "nothing stored was lost or marked finished"
            use s = RunStore.Open storePath
            Expect.equal (s.GetRuns "bad-input").Count 1 "no run was added by the refused commands"
        }
        perBackend "store" (fun b -> [ skipTest b; poolTest b ])
    ]
