module InitLab.Host.Tests.Studies.LeNetStudyTests

open System
open System.IO
open Expecto
open InitLab.Reports
open InitLab.Studies
open InitLab.Store
open InitLab.Host.Tests.Store.StoreTestSupport
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
    ]
