module InitLab.Host.Tests.Data.DataInventoryTests

open System.IO
open Expecto
open InitLab.Data
open InitLab.Host.Tests.Data.DataTestSupport

[<Tests>]
let tests =
    testList "Data.Inventory" [
        testCase "list: presence per data set without reading files" <| fun () ->
            use d = new TempDir()
            Directory.CreateDirectory(d.File "mnist") |> ignore
            writeMiniMnist (d.File "mnist") true 4 2 28 28 |> ignore
            let reports = DataInventory.List d.Path |> Seq.map (fun r -> r.Entry.Name, r) |> Map.ofSeq
            Expect.isTrue reports["mnist"].Present "mnist present"
            Expect.isFalse reports["cifar-10"].Present "cifar-10 absent"
            Expect.isFalse reports["chars74k-hnd"].Present "chars74k absent"

        testCase "verify: a well-formed but unofficial MNIST is counted and flagged as mismatching" <| fun () ->
            use d = new TempDir()
            Directory.CreateDirectory(d.File "mnist") |> ignore
            writeMiniMnist (d.File "mnist") true 20 10 28 28 |> ignore
            let r = DataInventory.Verify(d.Path, DataCatalog.Mnist)
            Expect.isFalse r.Ok "not OK"
            Expect.isTrue (r.Files |> Seq.forall (fun f -> f.Status = ChecksumStatus.Mismatch)) "all four mismatch"
            Expect.equal [ for s in r.Splits -> s.Split, s.Records ] [ "train", 20; "test", 10 ] "records"
            Expect.sequenceEqual r.Splits[0].PerClass (Array.create 10 2) "labels i % 10 -> 2 per class"

        testCase "verify: corrupt file is reported, not thrown" <| fun () ->
            use d = new TempDir()
            Directory.CreateDirectory(d.File "mnist") |> ignore
            writeMiniMnist (d.File "mnist") false 20 10 28 28 |> ignore
            let p = Path.Combine(d.Path, "mnist", "train-labels-idx1-ubyte")
            File.WriteAllBytes(p, (File.ReadAllBytes p)[.. 10])
            let r = DataInventory.Verify(d.Path, DataCatalog.Mnist)
            Expect.isFalse r.Ok "not OK"
            Expect.isTrue (r.Notes |> Seq.exists (fun n -> n.Contains "train-labels-idx1-ubyte")) $"names the file: %A{r.Notes}"

        testCase "verify real root: MNIST and Chars74K OK with published counts" <| fun () ->
            withRealData "chars74k/English/Hnd" (fun root ->
                let c = DataInventory.Verify(root, DataCatalog.Chars74KHnd)
                Expect.isTrue c.Ok $"chars74k: %A{c.Notes}"
                Expect.equal c.Splits[0].Records 3410 "3410 images"
                Expect.isTrue (c.Splits[0].PerClass |> Seq.forall ((=) 55)) "55 per class"
                let m = DataInventory.Verify(root, DataCatalog.Mnist)
                Expect.isTrue m.Ok "mnist"
                Expect.equal (m.Splits |> List.ofSeq |> List.map (fun s -> s.Records)) [ 60000; 10000 ] "records")
    ]
