module InitLab.Host.Tests.Data.Cifar100GreyTests

open System
open System.IO
open Expecto
open InitLab.Data
open InitLab.Host.Tests.Data.DataTestSupport

let private recordBytes = 2 + 1024

/// Grey records (coarse, fine, 1,024 pixels) for the given fine labels; coarse = fine / 5.
let private greyRecords (fines: int list) (seed: int) =
    let rng = Random seed
    [| for f in fines do
         yield byte (f / 5)
         yield byte f
         for _ in 1 .. 1024 do yield byte (rng.Next 256) |]

/// Writes a cifar-100-grey folder with name lists of the right length.
let private writeGrey (root: string) (gz: bool) (train: int list) (test: int list) =
    let dir = Path.Combine(root, "cifar-100-grey")
    Directory.CreateDirectory dir |> ignore
    let write name (b: byte[]) = if gz then File.WriteAllBytes(Path.Combine(dir, name + ".gz"), gzip b) else File.WriteAllBytes(Path.Combine(dir, name), b)
    write "train.bin" (greyRecords train 1)
    write "test.bin" (greyRecords test 2)
    File.WriteAllLines(Path.Combine(dir, "train_filenames.txt"), train |> List.mapi (fun i _ -> $"img_{i}.png"))
    File.WriteAllLines(Path.Combine(dir, "test_filenames.txt"), test |> List.mapi (fun i _ -> $"img_{i}.png"))
    dir

let private trainFines = [ 0; 0; 0; 3; 3; 7; 99 ]
let private testFines = [ 0; 3; 99 ]

[<Tests>]
let tests =
    testList "Data.Cifar100Grey" [
        testCase "fixture, raw and gzipped: one grey plane, fine and coarse labels, pixels in order" <| fun () ->
            use a = new TempDir()
            use b = new TempDir()
            writeGrey a.Path false trainFines testFines |> ignore
            writeGrey b.Path true trainFines testFines |> ignore
            let ra, rb = Cifar100Grey.Load a.Path, Cifar100Grey.Load b.Path
            Expect.equal (ra.Train.Channels, ra.Train.Height, ra.Train.Width) (1, 32, 32) "1×32×32"
            Expect.sequenceEqual ra.Train.Labels (List.toArray trainFines) "fine labels"
            Expect.sequenceEqual ra.Train.CoarseLabels (trainFines |> List.map (fun f -> f / 5) |> List.toArray) "coarse labels"
            let raw = greyRecords trainFines 1
            Expect.sequenceEqual ((ra.Train.Image 3).ToArray()) raw[3 * recordBytes + 2 .. 4 * recordBytes - 1] "record 3's pixels"
            Expect.sequenceEqual ra.Train.Pixels rb.Train.Pixels "gzip gives the same pixels"
            Expect.equal ra.Test.Count 3 "test records"
            Expect.equal ra.Train.ClassNames[99] "worm" "built-in fine names"

        testCase "records out of class order are refused, naming the file and the record" <| fun () ->
            use d = new TempDir()
            let dir = writeGrey d.Path false [ 0; 5; 3 ] testFines
            let e = expectFormatError "unsorted" (fun () -> Cifar100Grey.Load d.Path)
            Expect.stringContains e.Message (Path.Combine(dir, "train.bin")) "names the file"
            Expect.stringContains e.Message "record 2" "names the record"

        testCase "a fine label seen with two coarse labels is refused" <| fun () ->
            use d = new TempDir()
            let dir = writeGrey d.Path false trainFines testFines
            let b2 = File.ReadAllBytes(Path.Combine(dir, "train.bin"))
            b2[recordBytes] <- 4uy // record 1 (fine 0) with coarse 4, record 0 has coarse 0
            File.WriteAllBytes(Path.Combine(dir, "train.bin"), b2)
            let e = expectFormatError "coarse" (fun () -> Cifar100Grey.Load d.Path)
            Expect.stringContains e.Message "always with coarse label" "says what is wrong"

        testCase "truncated records, labels out of range and a name list of the wrong length are refused" <| fun () ->
            use d = new TempDir()
            let dir = writeGrey d.Path false trainFines testFines
            let path = Path.Combine(dir, "train.bin")
            let good = File.ReadAllBytes path
            File.WriteAllBytes(path, good[.. good.Length - 10])
            let e = expectFormatError "truncated" (fun () -> Cifar100Grey.Load d.Path)
            Expect.stringContains e.Message "1026-byte records" "record size named"
            let bad = Array.copy good
            bad[1] <- 100uy
            File.WriteAllBytes(path, bad)
            let e = expectFormatError "fine label" (fun () -> Cifar100Grey.Load d.Path)
            Expect.stringContains e.Message "0..99" "range named"
            File.WriteAllBytes(path, good)
            File.WriteAllLines(Path.Combine(dir, "test_filenames.txt"), [ "only-one.png" ])
            let e = expectFormatError "names" (fun () -> Cifar100Grey.Load d.Path)
            Expect.stringContains e.Message "test_filenames.txt" "names the list"
            Expect.isTrue (File.Exists path) "nothing deleted"

        testCase "list and verify know the set; a damaged file is a mismatch" <| fun () ->
            use d = new TempDir()
            writeGrey d.Path false trainFines testFines |> ignore
            let listed = DataInventory.List d.Path |> Seq.find (fun r -> r.Entry.Name = "cifar-100-grey")
            Expect.isTrue listed.Present "found"
            let v = DataInventory.Verify(d.Path, DataCatalog.Cifar100Grey)
            Expect.isFalse v.Ok "a fixture does not match the pinned SHA-256"
            Expect.isTrue (v.Files |> Seq.exists (fun f -> f.Status = ChecksumStatus.Mismatch)) "mismatch reported"
            Expect.equal (v.Splits |> Seq.map (fun s -> s.Records) |> Seq.toList) [ 7; 3 ] "still counted"

        testCase "real data: 500 / 100 per fine class, pinned SHA-256, grouped by class" <| fun () ->
            withRealData "cifar-100-grey" (fun root ->
                let v = DataInventory.Verify(root, DataCatalog.Cifar100Grey)
                for f in v.Files do Expect.equal f.Status ChecksumStatus.Match $"{f.File.Name}: {f.Actual}"
                Expect.isTrue v.Ok (String.Join("; ", v.Notes))
                let d = Cifar100Grey.Load root
                Expect.equal (d.Train.Count, d.Test.Count) (50000, 10000) "records"
                Expect.isTrue (d.Train.ClassCounts() |> Array.forall ((=) 500)) "500 per class"
                Expect.isTrue (d.Test.ClassCounts() |> Array.forall ((=) 100)) "100 per class"
                // the README: the first training record is bos_taurus_s_000507.png, cattle (fine 19), coarse 11
                Expect.equal (d.Train.Labels[0], d.Train.CoarseLabels[0]) (0, 4) "record 0 is in class 0 (apple, fruit_and_vegetables)"
                Expect.equal d.Train.Labels[49999] 99 "last is class 99")
    ]
