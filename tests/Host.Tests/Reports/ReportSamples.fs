/// Reports used by several test files: one with every element kind, and helpers to read a page back.
module InitLab.Host.Tests.Reports.ReportSamples

open System
open System.IO
open System.Text.Json
open System.Text.RegularExpressions
open InitLab.Reports

/// Text that breaks a page if written unescaped.
let hostile = "<script>alert('x')</script> & \"quoted\""

/// A smooth bowl f(x, y) = x² + 3y² on a grid; z[row = y, column = x].
let bowl (xs: float[]) (ys: float[]) = Array2D.init ys.Length xs.Length (fun r c -> xs.[c] ** 2.0 + 3.0 * ys.[r] ** 2.0)

/// Gradient-descent path on the bowl from (x, y) with step lr.
let descent (x0: float) (y0: float) (lr: float) (steps: int) =
    let xs, ys = Array.zeroCreate (steps + 1), Array.zeroCreate (steps + 1)
    xs.[0] <- x0
    ys.[0] <- y0
    for i in 1..steps do
        xs.[i] <- xs.[i - 1] - lr * 2.0 * xs.[i - 1]
        ys.[i] <- ys.[i - 1] - lr * 6.0 * ys.[i - 1]
    Series("GD lr=" + string lr, xs, ys)

/// A report holding every element kind once (four plotly charts).
let everything () =
    let xs = Array.init 41 (fun i -> -2.0 + 0.1 * float i)
    let ys = Array.init 31 (fun i -> -1.5 + 0.1 * float i)
    let qx = [| for i in -2..2 do for j in -2..2 -> float i |]
    let qy = [| for i in -2..2 do for j in -2..2 -> float j |]
    let filters = Array.init 6 (fun k -> Array.init 25 (fun p -> float32 (sin (float (k + 1) * float p))))
    Report("Every element " + hostile)
        .Paragraph("First paragraph " + hostile + "\n\nSecond paragraph.")
        .Heading("Table 2 " + hostile)
        .Table([| "init"; "accuracy"; hostile |], [ [| "He"; "0.981"; "a" |]; [| "Xavier"; "0.975"; null |] ], "Caption " + hostile)
        .LineChart("Loss " + hostile, "step", "loss",
                   [ Series.OfValues("He " + hostile, Array.init 60 (fun i -> exp (-0.05 * float i)))
                     Series.OfValues("diverged", [| 1.0; 2.0; nan; infinity; 3.0 |]) ], "Line caption")
        .ContourWithPaths("Bowl", xs, ys, bowl xs ys, [ descent 1.8 1.2 0.1 20; descent -1.8 1.0 0.3 20 ], "Contour caption")
        .Quiver("−∇f", qx, qy, qx |> Array.map (fun x -> -2.0 * x), qy |> Array.map (fun y -> -6.0 * y), 0.1)
        .Heatmap("Confusion", Array2D.init 3 4 (fun r c -> float (r * 4 + c)), [| "a"; "b"; "1"; "1" |], [| "r0"; "r1"; hostile |])
        .ImageGrid("Filters " + hostile, filters, 5, 5, [| for k in 1..6 -> sprintf "f%d" k |])
        .KeyValues("Config " + hostile, [ struct ("seed", "42"); struct ("sha256", hostile) ])

/// The {data, layout, config} literal of every plot in a page, by container id.
let figures (page: string) =
    Regex.Matches(page, """Plotly\.newPlot\("(plot-\d+)",f\.data,f\.layout,f\.config\);\}\)\((.*?)\);</script>""", RegexOptions.Singleline)
    |> Seq.map (fun m -> m.Groups.[1].Value, JsonDocument.Parse(m.Groups.[2].Value).RootElement)
    |> Map.ofSeq

/// The PNG bytes of every inline image in a page, in order.
let inlinePngs (page: string) =
    Regex.Matches(page, "src=\"data:image/png;base64,([A-Za-z0-9+/=]+)\"")
    |> Seq.map (fun m -> Convert.FromBase64String m.Groups.[1].Value)
    |> List.ofSeq

/// The page with its inlined plotly.js bundle removed (what a failed plotly load looks like).
let withoutPlotly (html: string) =
    Regex.Replace(html, "<script>\\s*/\\*\\*\\s*\\* plotly\\.js v.*?</script>", "", RegexOptions.Singleline)

/// A fresh temporary directory for one test.
let tempDir () = Directory.CreateTempSubdirectory("initlab-reports-test-").FullName
