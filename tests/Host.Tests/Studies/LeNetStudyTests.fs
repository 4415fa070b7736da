module InitLab.Host.Tests.Studies.LeNetStudyTests

open System
open System.IO
open Expecto
open InitLab.Reports
open InitLab.Studies
open InitLab.Store
open InitLab.Sweeps
open InitLab.Host.Tests.Store.StoreTestSupport
open InitLab.Host.Tests.Support
open InitLab.Host.Tests.Support.RepoRoot

let tensor name (values: float32[]) : InitLab.Kernel.StateBuffer = { Name = name; Shape = [| values.Length |]; Data = values }

[<Tests>]
let tests =
    testList "studies.lenet" [
        test "weight distance is the sum of absolute differences, symmetric, zero on the diagonal" {
            let a = [ tensor "w" [| 1.0f; -2.0f |]; tensor "b" [| 0.5f |] ] :> Collections.Generic.IReadOnlyList<_>
            let b = [ tensor "w" [| 0.0f; 1.0f |]; tensor "b" [| 0.5f |] ] :> Collections.Generic.IReadOnlyList<_>
            Expect.equal (WeightDistance.SumAbsoluteDifference(a, b)) 4.0 "|1−0| + |−2−1| + 0"
            let m = WeightDistance.Matrix([| a; b |])
            Expect.equal m[0, 1] m[1, 0] "symmetric"
            Expect.equal m[0, 0] 0.0 "diagonal"
            Expect.throwsT<ArgumentException> (fun () -> WeightDistance.SumAbsoluteDifference(a, [ tensor "w" [| 0.0f; 1.0f |] ]) |> ignore) "different sets"
        }
        test "exp_lenet.fsx --quick writes a report with both tables that renders in Chromium" {
            let repoRoot = requireRepoRoot ()
            use dir = new TempDir()
            let out = dir.File "lenet"
            let p = startDotnet [ "fsi"; "--optimize+"; Path.Combine(repoRoot, "scripts", "exp_lenet.fsx"); "--quick"; "--out"; out ]
            let stdout = p.StandardOutput.ReadToEndAsync()
            let stderr = p.StandardError.ReadToEndAsync()
            if not (p.WaitForExit(TimeSpan.FromMinutes 5.0)) then
                p.Kill true
                p.WaitForExit()
                failtest "exp_lenet.fsx --quick did not finish in 5 minutes"
            Expect.equal p.ExitCode 0 $"exit code; stderr:\n{stderr.Result}\nstdout:\n{stdout.Result}"
            let html = File.ReadAllText(Path.Combine(out, "report.html"))
            Expect.stringContains html "Table 2: summed absolute weight differences between Chars models" "Table 2"
            Expect.stringContains html "Table 3: same initial weights, Chars k vs MNIST k" "Table 3"
            Expect.stringContains stdout.Result "Table 2 mean" "prints the comparison"
            let shot = BrowserCheck.Render(Path.Combine(out, "report.html"), dir.File "lenet.png").EnsureRendered()
            Expect.stringContains html "Table 2 after alignment: Chars models" "Table 2 again after weight matching"
            Expect.stringContains html "Table 3 after alignment: Chars k vs MNIST k" "Table 3 again after weight matching"
            Expect.stringContains html "Interpolation barriers" "the barriers"
            // Figures 1 and 2, then the comparison's two CKA heatmaps and its loss-along-α chart
            Expect.equal shot.PlotsDrawn 5 "every figure drew"
            // a rerun reuses every finished run instead of training again
            let again = startDotnet [ "fsi"; "--optimize+"; Path.Combine(repoRoot, "scripts", "exp_lenet.fsx"); "--quick"; "--out"; out ]
            let againOut = again.StandardOutput.ReadToEndAsync()
            again.StandardError.ReadToEndAsync() |> ignore
            if not (again.WaitForExit(TimeSpan.FromMinutes 5.0)) then
                again.Kill true
                again.WaitForExit()
                failtest "the rerun of exp_lenet.fsx --quick did not finish in 5 minutes"
            Expect.equal again.ExitCode 0 "rerun succeeds"
            use store = RunStore.Open(Path.Combine(out, "runs.db"))
            Expect.equal (store.GetRuns "lenet-init").Count 6 "3 Chars + 3 MNIST runs, none added by the rerun"
            Expect.stringContains (File.ReadAllText(Path.Combine(out, "report.html"))) "<td>0 / 6</td>" "the rerun trained nothing"
        }
        test "exp_lenet.fsx --workers 2: each arm is one sweep task stored once, --report-only builds the report from the store, a rerun trains nothing" {
            use dir = new TempDir()
            let out = dir.File "lenet"
            // tiny: the quick study's 6 arms at 10 iterations, 1 thread each (the thread count is part of an arm's config)
            let tiny = [ "--iterations"; "10"; "--threads"; "1" ]
            let stdout = StudyScript.runQuickWith "exp_lenet" out 10.0 (tiny @ [ "--workers"; "2" ])
            Expect.stringContains stdout "0 of 6 task(s) done; running 6 on 2 worker(s) × 1 thread(s)" "the arms went to the pool"
            let store = Path.Combine(out, "runs.db")
            let counts () =
                use s = RunStore.Open store
                s.GetRuns("lenet-init").Count, s.GetRuns("lenet-init-sweep").Count
            let inStore () =
                use s = RunStore.Open store
                let results = s.GetRuns "lenet-init"
                Expect.equal (results |> Seq.map (fun r -> r.Name) |> Seq.sort |> List.ofSeq) [ "chars1"; "chars2"; "chars3"; "mnist1"; "mnist2"; "mnist3" ] "each arm stored once"
                Expect.isTrue (results |> Seq.forall (fun r -> r.Status = RunStatus.Finished)) "every arm finished"
                let tasks = s.GetRuns "lenet-init-sweep"
                Expect.equal tasks.Count 6 "one sweep task per arm"
                let armRuns = [ for t in tasks -> (s.GetMetrics(t.Id, "arm/run_id")).[0].Value |> int64 ] |> List.sort
                Expect.equal armRuns ([ for r in results -> r.Id ] |> List.sort) "each task trained its own arm's run"
            inStore ()
            let report = Path.Combine(out, "report.html")
            Expect.stringContains (File.ReadAllText report) "<td>0 / 6</td>" "the script itself trained nothing: the workers did"
            // the report again from the store alone
            File.Delete report
            let again = StudyScript.runQuickWith "exp_lenet" out 10.0 (tiny @ [ "--report-only" ])
            Expect.stringContains again "Table 2 mean" "the comparison printed from stored arms"
            let html = File.ReadAllText report
            Expect.stringContains html "Table 2: summed absolute weight differences between Chars models" "the report was built"
            Expect.stringContains html "read from the store (--report-only)" "says where its arms came from"
            Expect.stringContains html "<td>0 / 6</td>" "--report-only trained nothing"
            Expect.equal (counts ()) (6, 6) "and added no run"
            // the arms rerun as sweep tasks on 2 workers: every task done, no worker started, nothing trained
            let manifest = Directory.GetFiles(Path.Combine(out, "sweep"), "arms-*.json") |> Array.exactlyOne |> SweepManifest.Load
            let outcomes = Sweep.RunLocal(manifest, store, 2, 1)
            let messages = outcomes |> Seq.map (fun o -> o.Message) |> String.concat "; "
            Expect.isTrue (outcomes |> Seq.forall (fun o -> o.Kind = TaskOutcomeKind.Skipped)) $"every task skipped: {messages}"
            Expect.equal (counts ()) (6, 6) "the rerun added no run"
        }
    ]
