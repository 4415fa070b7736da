module InitLab.Host.Tests.Studies.Textbook.ScriptRunTests

open System
open System.Diagnostics
open System.IO
open Expecto
open InitLab.Reports
open InitLab.Host.Tests.Data.DataTestSupport
open InitLab.Host.Tests.Support.RepoRoot

/// Runs `dotnet fsi scripts/<script> --quick --out <dir>` from the repo root (needs the Release build
/// the scripts load) and returns the report's path after checking the exit code.
let runQuick (script: string) (outDir: string) =
    let psi = ProcessStartInfo("dotnet", $"fsi scripts/{script} --quick --out \"{outDir}\"", WorkingDirectory = requireRepoRoot (),
                               RedirectStandardOutput = true, RedirectStandardError = true)
    match realRoot "mnist" with
    | Some root -> psi.Environment["INITLAB_DATA"] <- root
    | None -> ()
    use p = Process.Start psi
    let out = p.StandardOutput.ReadToEndAsync()
    let err = p.StandardError.ReadToEndAsync()
    if not (p.WaitForExit(TimeSpan.FromSeconds 240.0)) then
        p.Kill true
        p.WaitForExit()
        failtestf "%s --quick did not finish in 240 s; output so far:\n%s" script out.Result
    p.WaitForExit()
    if p.ExitCode <> 0 then failtestf "%s --quick exited with %d:\n%s\n%s" script p.ExitCode out.Result err.Result
    let report = Path.Combine(outDir, "report.html")
    Expect.isTrue (File.Exists report) $"{script} wrote {report}; output:\n{out.Result}"
    report, out.Result

let checkRenders (report: string) (dir: string) =
    let result = BrowserCheck.Render(report, Path.Combine(dir, "report.png"), BrowserCheckOptions(WindowHeight = 3000, VirtualTimeBudgetMs = 15000)).EnsureRendered()
    Expect.isGreaterThan result.PlotCount 0 "the report has plots"
    Expect.equal result.PlotsDrawn result.PlotCount "every plot drawn"

// Sequenced: each spawns a compiler and Chromium, and the machine's cores are shared.
[<Tests>]
let tests =
    testSequenced <| testList "Textbook.Scripts" [
        testCase "exp_twolayer.fsx --quick writes a report that renders" <| fun () ->
            use dir = new TempDir()
            let report, out = runQuick "exp_twolayer.fsx" dir.Path
            Expect.stringContains out "SSE 0.0975 / 0.5975" "the worked values are printed"
            let html = File.ReadAllText report
            for needle in [ "4.2 Loss functions"; "4.4 Gradient descent"; "4.5 Two-layer net on MNIST"; "affine1.weight" ] do
                Expect.stringContains html needle $"section '{needle}'"
            checkRenders report dir.Path

        testCase "exp_optimizers.fsx --quick writes a report that renders" <| fun () ->
            use dir = new TempDir()
            let report, out = runQuick "exp_optimizers.fsx" dir.Path
            let html = File.ReadAllText report
            for needle in [ "tilted double well"; "The five optimisers training one CNN"; "Under- and over-fitting"; "Adam" ] do
                Expect.stringContains html needle $"section '{needle}'"
            Expect.stringContains out "local minimum" "some start ends in the local minimum"
            checkRenders report dir.Path
    ]
