module InitLab.Host.Tests.Reports.BrowserCheckTests

open System
open System.IO
open System.Text.RegularExpressions
open Expecto
open InitLab.Reports
open InitLab.Host.Tests.Reports.ReportSamples

// Sequenced: each check starts Chromium twice, and the machine's cores are shared.
[<Tests>]
let browser =
    testSequenced <| testList "Reports.BrowserCheck" [
        testCase "a report with every element kind renders with all plots drawn" <| fun () ->
            let dir = tempDir ()
            try
                let report = everything ()
                let html = report.Save(Path.Combine(dir, "everything.html"))
                let result = BrowserCheck.Render(html, Path.Combine(dir, "everything.png"))
                Expect.equal result.PlotCount report.PlotCount "every plot container found"
                Expect.equal result.PlotsDrawn report.PlotCount (sprintf "every plot drawn; undrawn: %A; console: %A" result.UndrawnPlots result.ConsoleMessages)
                Expect.isTrue (File.Exists result.ScreenshotPath) "screenshot written"
                Expect.equal (result.ScreenshotWidth, result.ScreenshotHeight) (1200, 2000) "screenshot has the window size"
                Expect.isFalse result.IsBlank (sprintf "screenshot not blank (ink %g)" result.InkFraction)
                let errors = result.ConsoleMessages |> Seq.filter (fun m -> m.Contains "Uncaught" || m.Contains "Error") |> List.ofSeq
                Expect.isEmpty errors "no script errors"
                result.EnsureRendered() |> ignore
                // Keep a copy for people to look at when INITLAB_REPORT_SAMPLES names a folder.
                match Environment.GetEnvironmentVariable "INITLAB_REPORT_SAMPLES" with
                | null | "" -> ()
                | keep ->
                    Directory.CreateDirectory keep |> ignore
                    File.Copy(html, Path.Combine(keep, "everything.html"), true)
                    File.Copy(result.ScreenshotPath, Path.Combine(keep, "everything.png"), true)
            finally Directory.Delete(dir, true)

        testCase "a page whose plotly.js is missing fails the check" <| fun () ->
            let dir = tempDir ()
            try
                let page = everything().ToHtml()
                let broken = withoutPlotly page
                Expect.isLessThan broken.Length (page.Length / 2) "plotly.js was cut out"
                let html = Path.Combine(dir, "broken.html")
                File.WriteAllText(html, broken)
                let result = BrowserCheck.Render(html, Path.Combine(dir, "broken.png"))
                Expect.equal result.PlotCount 4 "containers are still there"
                Expect.equal result.PlotsDrawn 0 "nothing drawn"
                Expect.equal (List.ofSeq result.UndrawnPlots) [ "plot-1"; "plot-2"; "plot-3"; "plot-4" ] "all listed"
                Expect.exists result.ConsoleMessages (fun m -> m.Contains "Plotly") "the console explains why"
                let e = Expect.throwsC (fun () -> result.EnsureRendered() |> ignore) id
                Expect.stringContains e.Message "4 of 4 plots not drawn" "EnsureRendered says what failed"
            finally Directory.Delete(dir, true)

        testCase "an empty page counts as blank" <| fun () ->
            let dir = tempDir ()
            try
                let html = Path.Combine(dir, "blank.html")
                File.WriteAllText(html, "<!DOCTYPE html><html><body></body></html>")
                let result = BrowserCheck.Render(html, Path.Combine(dir, "blank.png"))
                Expect.equal result.PlotCount 0 "no plots"
                Expect.isTrue result.IsBlank (sprintf "blank (ink %g)" result.InkFraction)
                Expect.throws (fun () -> result.EnsureRendered() |> ignore) "a blank page does not pass"
            finally Directory.Delete(dir, true)

        testCase "a missing browser is a clear error" <| fun () ->
            let dir = tempDir ()
            try
                let html = Report("r").Save(Path.Combine(dir, "r.html"))
                let options = BrowserCheckOptions(ChromiumPath = "/nonexistent/chromium")
                let e = Expect.throwsC (fun () -> BrowserCheck.Render(html, Path.Combine(dir, "r.png"), options) |> ignore) id
                Expect.isTrue (e :? BrowserNotFoundException) "BrowserNotFoundException"
                Expect.stringContains e.Message "/nonexistent/chromium" "names where it looked"
            finally Directory.Delete(dir, true)
    ]
