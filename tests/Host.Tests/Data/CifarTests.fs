module InitLab.Host.Tests.Data.CifarTests

open System
open System.IO
open Expecto
open InitLab.Data
open InitLab.Host.Tests.Data.DataTestSupport

/// Writes a CIFAR-100 binary folder (train/test, optionally gzipped) with labels derived from the index.
let private writeCifar100 (root: string) (gz: bool) (train: byte[]) (test: byte[]) =
    let dir = Path.Combine(root, "cifar-100-binary")
    Directory.CreateDirectory dir |> ignore
    let write name (b: byte[]) = if gz then File.WriteAllBytes(Path.Combine(dir, name + ".gz"), gzip b) else File.WriteAllBytes(Path.Combine(dir, name), b)
    write "train.bin" train
    write "test.bin" test
    dir

let private coarseOf i = byte (i % 20)
let private fineOf i = byte ((i * 7) % 100)
let private label100 i k = if k = 0 then coarseOf i else fineOf i

[<Tests>]
let tests =
    testList "Data.Cifar" [
        testCase "CIFAR-10 real: counts, per-class counts, known labels, pinned SHA-256" <| fun () ->
            withRealData "cifar-10-batches-bin" (fun root ->
                for f in DataCatalog.Cifar10.Files do
                    let c = DataCatalog.Check(root, DataCatalog.Cifar10, f)
                    Expect.equal c.Status ChecksumStatus.Match $"{f.Name}: {c.Actual}"
                let d = Cifar10.Load root
                Expect.equal d.Train.Count 50000 "train"
                Expect.equal d.Test.Count 10000 "test"
                Expect.equal (d.Train.Channels, d.Train.Height, d.Train.Width) (3, 32, 32) "shape"
                Expect.isTrue (d.Train.ClassCounts() |> Array.forall ((=) 5000)) "5000 per class"
                Expect.isTrue (d.Test.ClassCounts() |> Array.forall ((=) 1000)) "1000 per class"
                Expect.equal d.Train.ClassNames[d.Train.Labels[0]] "frog" "first training image is a frog"
                Expect.sequenceEqual d.Test.Labels[0..9] [| 3; 8; 8; 0; 6; 6; 1; 6; 3; 1 |] "first test labels"
                let batch1 = Array.zeroCreate 10
                for l in d.Train.Labels[0..9999] do batch1[l] <- batch1[l] + 1
                Expect.sequenceEqual batch1 [| 1005; 974; 1032; 1016; 999; 937; 1030; 1001; 1025; 981 |] "data_batch_1 per class")

        testCase "CIFAR-100 fixture, raw and gzipped: coarse and fine labels, pixels planar" <| fun () ->
            use a = new TempDir()
            use b = new TempDir()
            let train = cifarRecords 30 2 label100 1
            let test = cifarRecords 7 2 label100 2
            writeCifar100 a.Path false train test |> ignore
            writeCifar100 b.Path true train test |> ignore
            let ra = Cifar100.Load a.Path
            let rb = Cifar100.Load b.Path
            Expect.equal ra.Train.Count 30 "train count"
            Expect.equal ra.Test.Count 7 "test count"
            Expect.equal ra.Train.ClassCount 100 "fine classes"
            Expect.equal ra.Train.CoarseClassNames.Count 20 "coarse classes"
            Expect.sequenceEqual ra.Train.Labels [| for i in 0 .. 29 -> int (fineOf i) |] "fine labels"
            Expect.sequenceEqual ra.Train.CoarseLabels [| for i in 0 .. 29 -> int (coarseOf i) |] "coarse labels"
            Expect.sequenceEqual (ra.Test.Image(3).ToArray()) test[3 * 3074 + 2 .. 3 * 3074 + 3073] "pixels of test record 3"
            Expect.sequenceEqual rb.Train.Pixels ra.Train.Pixels "gz = raw"
            Expect.equal ra.Train.ClassNames[0] "apple" "fine names"
            Expect.equal ra.Train.CoarseClassNames[19] "vehicles_2" "coarse names"

        testCase "CIFAR-100 corruption: fine label 100, coarse label 20, partial record, empty file" <| fun () ->
            let check name (train: byte[]) (offset: int64 option) =
                use d = new TempDir()
                let dir = writeCifar100 d.Path false train (cifarRecords 2 2 label100 3)
                let e = expectFormatError name (fun () -> Cifar100.Load d.Path)
                Expect.equal e.Path (Path.Combine(dir, "train.bin")) $"{name}: names the file"
                offset |> Option.iter (fun o -> Expect.equal e.Offset o $"{name}: offset")
            let good = cifarRecords 5 2 label100 4
            check "fine 100" (let b = Array.copy good in b[2 * 3074 + 1] <- 100uy; b) (Some(2L * 3074L + 1L))
            check "coarse 20" (let b = Array.copy good in b[4 * 3074] <- 20uy; b) (Some(4L * 3074L))
            check "partial record" good[.. good.Length - 2] (Some(4L * 3074L))
            check "empty" [||] (Some 0L)

        testCase "CIFAR-10 fixture: label 10 rejected, missing batch named" <| fun () ->
            use d = new TempDir()
            let dir = Path.Combine(d.Path, "cifar-10-batches-bin")
            Directory.CreateDirectory dir |> ignore
            for i in 1 .. 5 do File.WriteAllBytes(Path.Combine(dir, $"data_batch_{i}.bin"), cifarRecords 3 1 (fun j _ -> byte j) i)
            File.WriteAllBytes(Path.Combine(dir, "test_batch.bin"), cifarRecords 2 1 (fun _ _ -> 9uy) 9)
            let ok = Cifar10.Load d.Path
            Expect.equal ok.Train.Count 15 "5 batches of 3"
            Expect.sequenceEqual ok.Train.Labels[0..2] [| 0; 1; 2 |] "labels in batch order"
            File.WriteAllBytes(Path.Combine(dir, "data_batch_3.bin"), cifarRecords 3 1 (fun _ _ -> 10uy) 1)
            let e = expectFormatError "label 10" (fun () -> Cifar10.Load d.Path)
            Expect.stringContains e.Path "data_batch_3.bin" "names the batch"
            File.Delete(Path.Combine(dir, "data_batch_5.bin"))
            let nf = Expect.throwsT<FileNotFoundException> (fun () -> Cifar10.Load d.Path |> ignore) "missing batch"
            ()
    ]
