module InitLab.Host.Tests.Data.Chars74KTests

open System
open System.IO
open Expecto
open InitLab.Data
open InitLab.Host.Tests.Data.DataTestSupport

/// The real handwritten digits, decoded and normalised once (the slowest data test: 550 PNGs of 1200×900).
let private realDigits = lazy (realRoot "chars74k-hnd" |> Option.map (fun r -> Chars74K.Load r))

/// A white w×h RGB image with a black filled rectangle.
let private rectPng w h (x0, y0, x1, y1) =
    let pixels =
        [| for y in 0 .. h - 1 do
             for x in 0 .. w - 1 do
                 let v = if x >= x0 && x < x1 && y >= y0 && y < y1 then 0uy else 255uy
                 yield v
                 yield v
                 yield v |]
    png w h 3 pixels

[<Tests>]
let tests =
    testList "Data.Chars74K" [
        testCase "Hnd real: 62 classes × 55 images, digits only 10 × 55" <| fun () ->
            withRealData "chars74k/English/Hnd" (fun root ->
                let all = Chars74K.Index(root, Chars74KOptions(DigitsOnly = false))
                let counts = all |> Seq.countBy (fun s -> s.Label) |> Map.ofSeq
                Expect.equal counts.Count 62 "62 classes"
                Expect.isTrue (counts |> Map.forall (fun _ c -> c = 55)) $"55 per class: %A{counts}"
                let digits = Chars74K.Index root
                Expect.equal digits.Count 550 "550 digits"
                Expect.isTrue (digits |> Seq.forall (fun s -> s.Label < 10)) "digit labels only")

        testCase "Hnd real: the SHA256SUMS list matches its pinned hash" <| fun () ->
            withRealData "chars74k/English/Hnd" (fun root ->
                let c = DataCatalog.Check(root, DataCatalog.Chars74KHnd, DataCatalog.Chars74KHnd.Files[0])
                Expect.equal c.Status ChecksumStatus.Match $"SHA256SUMS: {c.Actual}")

        testCase "Hnd real: normalised digits have centre of mass within 0.5 px of (14,14), bright ink on black" <| fun () ->
            withRealData "chars74k/English/Hnd" (fun _ ->
                let d = realDigits.Value.Value
                Expect.equal (d.Count, d.Height, d.Width) (550, 28, 28) "shape"
                Expect.sequenceEqual (d.ClassCounts()) (Array.create 10 55) "55 per digit"
                for i in 0 .. d.Count - 1 do
                    let img = d.Image(i)
                    let struct (x, y) = DigitNormalizer.CentreOfMass(img, 28, 28)
                    let dist = sqrt ((x - 14.0) ** 2.0 + (y - 14.0) ** 2.0)
                    if dist >= 0.5 then failtestf "image %d: centre of mass (%.2f, %.2f)" i x y
                    if img[0] <> 0uy || img[27 * 28 + 27] <> 0uy then failtestf "image %d: corners not background" i)

        testCase "fixture: official nested layout found, labels from folder numbers, polarity handled" <| fun () ->
            use d = new TempDir()
            for (folder, label) in [ "Sample001", 0; "Sample010", 9; "Sample011", 10; "Sample062", 61 ] do
                let dir = Path.Combine(d.Path, "English", "Hnd", "Img", folder)
                Directory.CreateDirectory dir |> ignore
                File.WriteAllBytes(Path.Combine(dir, "a.png"), rectPng 40 30 (5 + label % 7, 4, 15 + label % 7, 25))
            let digits = Chars74K.Load d.Path
            Expect.sequenceEqual digits.Labels [| 0; 9 |] "digits only"
            let all = Chars74K.Load(d.Path, Chars74KOptions(DigitsOnly = false))
            Expect.sequenceEqual all.Labels [| 0; 9; 10; 61 |] "all 62 classes"
            Expect.equal all.ClassNames[61] "z" "class names"
            let img = all.Image(0).ToArray()
            Expect.equal img[14 * 28 + 14] 255uy "ink (black in the PNG) is bright after normalisation"
            Expect.equal img[0] 0uy "paper (white) is black after normalisation"

        testCase "fixture: undecodable PNG and bad folder number give DataFormatException naming them" <| fun () ->
            use d = new TempDir()
            let dir = Path.Combine(d.Path, "English", "Fnt", "Sample001")
            Directory.CreateDirectory dir |> ignore
            let good = rectPng 20 20 (5, 5, 15, 15)
            File.WriteAllBytes(Path.Combine(dir, "good.png"), good)
            let bad = Path.Combine(dir, "bad.png")
            File.WriteAllBytes(bad, good[.. good.Length / 2])
            let e = expectFormatError "truncated png" (fun () -> Chars74K.Load(d.Path, Chars74KOptions(Kind = Chars74KKind.Fnt)))
            Expect.equal e.Path bad "names the PNG"
            File.WriteAllBytes(bad, Array.append good[.. 15] (Array.create 40 0xFFuy))
            let e2 = expectFormatError "huge IHDR" (fun () -> Chars74K.Load(d.Path, Chars74KOptions(Kind = Chars74KKind.Fnt)))
            Expect.equal e2.Path bad "names the PNG"
            File.Delete bad
            Directory.CreateDirectory(Path.Combine(d.Path, "English", "Fnt", "Sample099")) |> ignore
            let e3 = expectFormatError "Sample099" (fun () -> Chars74K.Index(d.Path, Chars74KOptions(Kind = Chars74KKind.Fnt, DigitsOnly = false)))
            Expect.stringContains e3.Path "Sample099" "names the folder"
    ]
