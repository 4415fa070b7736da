module InitLab.Host.Tests.Studies.Textbook.ScriptRunTests

open System
open System.IO
open Expecto
open InitLab.Reports
open InitLab.Host.Tests.Data.DataTestSupport
open InitLab.Host.Tests.Support

/// Runs `scripts/<name>.fsx --quick --out <dir>` (needs the Release build the scripts load; the data root
/// resolves in the script as in any run) and returns the report's path and the script's output.
let runQuick (name: string) (outDir: string) =
    let out = StudyScript.runQuick name outDir 4.0
    let report = Path.Combine(outDir, "report.html")
    Expect.isTrue (File.Exists report) $"{name}.fsx wrote {report}; output:\n{out}"
    report, out

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
            let report, out = runQuick "exp_twolayer" dir.Path
            Expect.stringContains out "SSE 0.0975 / 0.5975" "the worked values are printed"
            let html = File.ReadAllText report
            for needle in [ "4.2 Loss functions"; "4.4 Gradient descent"; "4.5 Two-layer net on MNIST"; "affine1.weight" ] do
                Expect.stringContains html needle $"section '{needle}'"
            checkRenders report dir.Path

        testCase "exp_optimizers.fsx --quick writes a report that renders" <| fun () ->
            use dir = new TempDir()
            let report, out = runQuick "exp_optimizers" dir.Path
            let html = File.ReadAllText report
            for needle in [ "tilted double well"; "The five optimisers training one CNN"; "Under- and over-fitting"; "Adam" ] do
                Expect.stringContains html needle $"section '{needle}'"
            Expect.stringContains out "local minimum" "some start ends in the local minimum"
            checkRenders report dir.Path
    ]
