module InitLab.Host.Tests.Reports.ReportTests

open System
open System.IO
open System.Net
open System.Text.Json
open System.Text.RegularExpressions
open Expecto
open StbImageSharp
open InitLab.Reports
open InitLab.Host.Tests.Reports.ReportSamples

let private count (needle: string) (hay: string) = Regex.Matches(hay, Regex.Escape needle).Count

let private throwsWith (fragments: string list) (f: unit -> unit) =
    let e = Expect.throwsC f id
    for s in fragments do
        Expect.stringContains e.Message s "error message names the problem"

let private numbers (e: JsonElement) =
    [| for v in e.EnumerateArray() -> if v.ValueKind = JsonValueKind.Null then nan else v.GetDouble() |]

[<Tests>]
let escaping =
    testList "Reports.Html" [
        testPropertyWithConfig (InitLab.Tests.FsCheckSeed.config 100) "Escape decodes back to the original text" <| fun (s: string) ->
            let text = if isNull s then "" else s
            WebUtility.HtmlDecode(Html.Escape text) = text

        testPropertyWithConfig (InitLab.Tests.FsCheckSeed.config 100) "Escape leaves no markup characters" <| fun (s: string) ->
            let e = Html.Escape s
            not (e.Contains '<' || e.Contains '>' || e.Contains '"' || e.Contains '\'')
            && Regex.Replace(e, "&(amp|lt|gt|quot|#39);", "").IndexOf('&') < 0
    ]

[<Tests>]
let page =
    testList "Reports.Report page" [
        testCase "hostile text never reaches the page as markup" <| fun () ->
            let report = everything ()
            let html = report.ToHtml()
            Expect.isFalse (html.Contains "<script>alert") "no injected script element"
            // One inlined plotly.js plus one script per chart, nothing else.
            Expect.equal (count "<script" html) (1 + report.PlotCount) "script elements"
            Expect.isTrue (html.Contains(Html.Escape hostile)) "hostile text is shown escaped"

        testCase "plotly.js is inlined exactly once and nothing is fetched from the network" <| fun () ->
            let report = everything ()
            let html = report.ToHtml()
            Expect.equal report.PlotCount 4 "four charts"
            Expect.equal (count "* plotly.js v" html) 1 "plotly.js header appears once"
            // The bundle itself mentions URLs (for optional features); the page around it must not load any.
            let page = withoutPlotly html
            Expect.isLessThan page.Length (html.Length / 10) "the bundle is the bulk of the page"
            Expect.isFalse (Regex.IsMatch(page, "<script[^>]*\\bsrc=")) "no external script"
            Expect.isFalse (page.Contains "cdn.plot.ly") "no CDN reference"
            Expect.isFalse (Regex.IsMatch(page, "(src|href)=\"https?:")) "no remote resources"

        testCase "a report without charts does not carry plotly.js" <| fun () ->
            let html = Report("Text only").Paragraph("p").Table([| "a" |], [ [| "1" |] ]).ToHtml()
            Expect.isFalse (html.Contains "plotly.js v") "no plotly bundle"
            Expect.isLessThan html.Length 10_000 "page stays small"

        testCase "the same report gives the same page byte for byte" <| fun () ->
            Expect.equal (everything().ToHtml()) (everything().ToHtml()) "deterministic output"

        testCase "every chart script is valid JSON naming its own container" <| fun () ->
            let html = everything().ToHtml()
            let figs = figures html
            Expect.equal (figs |> Map.keys |> List.ofSeq) [ "plot-1"; "plot-2"; "plot-3"; "plot-4" ] "plot ids"
            for id in figs.Keys do
                Expect.isTrue (html.Contains(sprintf "<div class=\"plot\" id=\"%s\"></div>" id)) (id + " container exists")

        testCase "table rows and key/values keep their order and escape their cells" <| fun () ->
            let html =
                Report("T").Table([| "k"; "v" |], [ [| "b"; "2.5" |]; [| "a"; "x<y" |] ])
                    .KeyValues("cfg", [ struct ("seed", "7"); struct ("path", "a&b") ]).ToHtml()
            let cells = Regex.Matches(html, "<t[dh](?:\\s[^>]*)?>(.*?)</t[dh]>") |> Seq.map (fun m -> m.Groups.[1].Value) |> List.ofSeq
            Expect.equal cells [ "k"; "v"; "b"; "2.5"; "a"; "x&lt;y"; "seed"; "7"; "path"; "a&amp;b" ] "cells in order"
            Expect.isTrue (html.Contains "<td class=\"num\">2.5</td>") "numbers are right-aligned"
    ]

[<Tests>]
let charts =
    testList "Reports.Report charts" [
        testCase "non-finite line values become gaps, finite ones are kept exactly" <| fun () ->
            let y = [| 0.1; nan; 1e-300; infinity; -2.5 |]
            let fig = Report("r").LineChart("l", "x", "y", [ Series.OfValues("s", y) ]).ToHtml() |> figures |> Map.find "plot-1"
            let ys = fig.GetProperty("data").[0].GetProperty("y") |> numbers
            Expect.equal ys.Length 5 "all points present"
            Expect.isTrue (Double.IsNaN ys.[1] && Double.IsNaN ys.[3]) "NaN and ∞ are gaps"
            Expect.equal [| ys.[0]; ys.[2]; ys.[4] |] [| 0.1; 1e-300; -2.5 |] "finite values round-trip"

        testCase "logY makes only the y axis logarithmic" <| fun () ->
            let axisType (logY: bool) axis =
                let fig = Report("r").LineChart("l", "x", "y", [ Series.OfValues("s", [| 1.0; 0.1 |]) ], logY = logY).ToHtml() |> figures |> Map.find "plot-1"
                match fig.GetProperty("layout").GetProperty(axis: string).TryGetProperty("type") with
                | true, t -> t.GetString()
                | _ -> "linear"
            Expect.equal (axisType true "yaxis", axisType true "xaxis") ("log", "linear") "log y"
            Expect.equal (axisType false "yaxis") "linear" "linear by default"

        testCase "contour keeps z as rows over y and draws each path" <| fun () ->
            let xs, ys = [| 0.0; 1.0; 2.0 |], [| 10.0; 20.0 |]
            let z = Array2D.init 2 3 (fun r c -> ys.[r] + xs.[c])
            let path = Series("p", [| 0.0; 1.0 |], [| 10.0; 20.0 |])
            let fig = Report("r").ContourWithPaths("c", xs, ys, z, [ path ]).ToHtml() |> figures |> Map.find "plot-1"
            let data = fig.GetProperty("data")
            let rows = [ for row in data.[0].GetProperty("z").EnumerateArray() -> numbers row ]
            Expect.equal rows [ [| 10.0; 11.0; 12.0 |]; [| 20.0; 21.0; 22.0 |] ] "z[row][col] = ys[row] + xs[col]"
            Expect.equal (data.GetArrayLength()) 2 "surface + one path"
            Expect.equal (numbers (data.[1].GetProperty("x"))) path.X "path x"

        testCase "quiver arrows end at x0 + scale·u with symmetric heads" <| fun () ->
            let x0, y0, u, v, s = [| 0.0; 1.0; 5.0 |], [| 0.0; 2.0; 5.0 |], [| 1.0; 0.0; 0.0 |], [| 1.0; -3.0; 0.0 |], 0.5
            let fig = Report("r").Quiver("q", x0, y0, u, v, s).ToHtml() |> figures |> Map.find "plot-1"
            let arrows = fig.GetProperty("data").[0]
            let xs, ys = numbers (arrows.GetProperty("x")), numbers (arrows.GetProperty("y"))
            // Polylines separated by gaps: shaft (2 points) then head (3 points) per non-zero vector.
            let pieces =
                Array.zip xs ys
                |> Array.fold (fun (acc: (float * float) list list) (x, y) ->
                    if Double.IsNaN x then [] :: acc else match acc with h :: t -> (h @ [ x, y ]) :: t | [] -> [ [ x, y ] ]) [ [] ]
                |> List.filter (not << List.isEmpty) |> List.rev
            Expect.equal pieces.Length 4 "two arrows (the zero vector draws nothing), two pieces each"
            for i, k in [ 0, 0; 1, 2 ] do
                let shaft, head = pieces.[k], pieces.[k + 1]
                let tip = x0.[i] + s * u.[i], y0.[i] + s * v.[i]
                Expect.equal shaft [ (x0.[i], y0.[i]); tip ] "shaft from base to tip"
                Expect.equal head.[1] tip "head meets at the tip"
                let len = s * sqrt (u.[i] ** 2.0 + v.[i] ** 2.0)
                let dist (a, b) (c, d) = sqrt ((a - c) ** 2.0 + (b - d) ** 2.0)
                for p in [ head.[0]; head.[2] ] do
                    Expect.floatClose Accuracy.high (dist p tip) (0.3 * len) "head stroke length"
                    let back = (fst p - fst tip) * u.[i] + (snd p - snd tip) * v.[i]
                    Expect.isLessThan back 0.0 "head strokes point back along the shaft"
                Expect.floatClose Accuracy.high (dist head.[0] (x0.[i], y0.[i])) (dist head.[2] (x0.[i], y0.[i])) "head is symmetric"

        testCase "heatmap puts row 0 on top and labels ticks with the given names" <| fun () ->
            let z = Array2D.init 2 3 (fun r c -> float (10 * r + c))
            let fig = Report("r").Heatmap("h", z, [| "1"; "1"; "a<b" |], [| "top"; "bottom" |]).ToHtml() |> figures |> Map.find "plot-1"
            let layout = fig.GetProperty("layout")
            Expect.equal (layout.GetProperty("yaxis").GetProperty("autorange").GetString()) "reversed" "matrix orientation"
            let ticks = [ for t in layout.GetProperty("xaxis").GetProperty("ticktext").EnumerateArray() -> t.GetString() ]
            Expect.equal ticks [ "1"; "1"; "a&lt;b" ] "duplicate and numeric-looking labels are kept"
            let rows = [ for row in fig.GetProperty("data").[0].GetProperty("z").EnumerateArray() -> numbers row ]
            Expect.equal rows [ [| 0.0; 1.0; 2.0 |]; [| 10.0; 11.0; 12.0 |] ] "z rows"
    ]

[<Tests>]
let images =
    testList "Reports.Report images" [
        testPropertyWithConfig (InitLab.Tests.FsCheckSeed.config 100) "GreyscalePng decodes back to the same pixels" <| fun (seed: int) ->
            let rng = Random(seed)
            let w, h = rng.Next(1, 40), rng.Next(1, 40)
            let pixels = Array.init (w * h) (fun _ -> byte (rng.Next 256))
            let img = ImageResult.FromMemory(GreyscalePng.Encode(ReadOnlySpan pixels, w, h), ColorComponents.Grey)
            img.Width = w && img.Height = h && img.Data = pixels

        testCase "per-image scaling stretches each tile to black…white" <| fun () ->
            let a = [| 0.0f; 0.25f; 0.5f; 1.0f |]
            let b = [| -3.0f; -3.0f; 7.0f; 2.0f |]
            let pngs = Report("r").ImageGrid("g", [| a; b |], 2, 2).ToHtml() |> inlinePngs
            let grey = pngs |> List.map (fun p -> ImageResult.FromMemory(p, ColorComponents.Grey).Data)
            Expect.equal grey.[0] [| 0uy; 64uy; 128uy; 255uy |] "first tile"
            Expect.equal grey.[1] [| 0uy; 0uy; 255uy; 128uy |] "second tile"

        testCase "shared scaling keeps tiles comparable" <| fun () ->
            let a = [| 0.0f; 1.0f; 2.0f; 4.0f |]
            let b = [| 0.0f; 1.0f; 1.0f; 2.0f |]
            let pngs = Report("r").ImageGrid("g", [| a; b |], 2, 2, scale = ImageScale.Shared).ToHtml() |> inlinePngs
            let grey = pngs |> List.map (fun p -> ImageResult.FromMemory(p, ColorComponents.Grey).Data)
            Expect.equal grey.[1] [| 0uy; 64uy; 64uy; 128uy |] "second tile on the first tile's scale"

        testCase "labels are shown under their tiles" <| fun () ->
            let html = Report("r").ImageGrid("g", [| [| 0.0f |]; [| 1.0f |] |], 1, 1, [| "zero"; "o<ne" |]).ToHtml()
            let captions = Regex.Matches(html, "<figure class=\"tile\">.*?<figcaption>(.*?)</figcaption>") |> Seq.map (fun m -> m.Groups.[1].Value) |> List.ofSeq
            Expect.equal captions [ "zero"; "o&lt;ne" ] "one caption per tile, escaped"
    ]

[<Tests>]
let badInput =
    testList "Reports.Report bad input" [
        testCase "series of unequal lengths names the series and both lengths" <| fun () ->
            throwsWith [ "'s1'"; "3"; "2" ] (fun () -> Report("r").LineChart("l", "x", "y", [ Series("s1", [| 1.0; 2.0; 3.0 |], [| 1.0; 2.0 |]) ]) |> ignore)
        testCase "NaN abscissa is rejected with its index" <| fun () ->
            throwsWith [ "X[1]"; "NaN" ] (fun () -> Report("r").LineChart("l", "x", "y", [ Series("s", [| 1.0; nan |], [| 1.0; 2.0 |]) ]) |> ignore)
        testCase "contour z of the wrong shape names both shapes" <| fun () ->
            throwsWith [ "3×2"; "2×3" ] (fun () -> Report("r").ContourWithPaths("c", [| 0.0; 1.0; 2.0 |], [| 0.0; 1.0 |], Array2D.zeroCreate 3 2, []) |> ignore)
        testCase "contour grid that is not increasing names the offending value" <| fun () ->
            throwsWith [ "xs[2]"; "strictly increasing" ] (fun () -> Report("r").ContourWithPaths("c", [| 0.0; 1.0; 1.0 |], [| 0.0; 1.0 |], Array2D.zeroCreate 2 3, []) |> ignore)
        testCase "heatmap labels must match the matrix" <| fun () ->
            throwsWith [ "2×3"; "1 row labels" ] (fun () -> Report("r").Heatmap("h", Array2D.zeroCreate 2 3, [| "a"; "b"; "c" |], [| "r" |]) |> ignore)
        testCase "quiver arrays of different lengths are listed" <| fun () ->
            throwsWith [ "2, 2, 1, 2" ] (fun () -> Report("r").Quiver("q", [| 0.0; 1.0 |], [| 0.0; 1.0 |], [| 1.0 |], [| 1.0; 1.0 |]) |> ignore)
        testCase "image with NaN names image and pixel" <| fun () ->
            throwsWith [ "image 1"; "row 1, column 0"; "NaN" ] (fun () -> Report("r").ImageGrid("g", [| [| 0.0f; 0.0f; 0.0f; 0.0f |]; [| 0.0f; 0.0f; nanf; 0.0f |] |], 2, 2) |> ignore)
        testCase "image of the wrong size names the expected shape" <| fun () ->
            throwsWith [ "image 0"; "3 values"; "2×2 = 4" ] (fun () -> Report("r").ImageGrid("g", [| [| 0.0f; 0.0f; 0.0f |] |], 2, 2) |> ignore)
        testCase "table row with the wrong cell count names the row" <| fun () ->
            throwsWith [ "row 1"; "1 cells"; "2 columns" ] (fun () -> Report("r").Table([| "a"; "b" |], [ [| "1"; "2" |]; [| "3" |] ]) |> ignore)
    ]

[<Tests>]
let saving =
    testList "Reports.Report save" [
        testCase "Save writes the page, replaces an older one and leaves no temporary files" <| fun () ->
            let dir = tempDir ()
            try
                let target = Path.Combine(dir, "sub", "r.html")
                let first = Report("first").Paragraph("one").Save target
                Expect.equal first (Path.GetFullPath target) "returns the full path"
                let report = Report("second").Paragraph("two")
                report.Save target |> ignore
                Expect.equal (File.ReadAllText target) (report.ToHtml()) "new content replaced the old"
                Expect.equal (Directory.GetFiles(Path.Combine(dir, "sub")) |> Array.map Path.GetFileName) [| "r.html" |] "only the report"
            finally Directory.Delete(dir, true)

        testCase "a failed save names the path and leaves nothing behind" <| fun () ->
            let dir = tempDir ()
            try
                let target = Path.Combine(dir, "taken")
                Directory.CreateDirectory target |> ignore // a folder where the file should go
                throwsWith [ target ] (fun () -> Report("r").Save target |> ignore)
                Expect.isEmpty (Directory.GetFiles dir) "no temporary file left"
            finally Directory.Delete(dir, true)
    ]
