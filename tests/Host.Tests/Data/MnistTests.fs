module InitLab.Host.Tests.Data.MnistTests

open System
open System.Diagnostics
open System.IO
open Expecto
open InitLab.Data
open InitLab.Host.Tests.Data.DataTestSupport

/// Real MNIST loaded once for all tests that read it.
let realMnist = lazy (realRoot "mnist" |> Option.map (fun r -> Mnist.Load(r, MnistOptions(VerifyChecksums = true))))

[<Tests>]
let realFiles =
    testList "Data.Mnist.real" [
        testCase "counts, per-class counts and shapes match the published figures" <| fun () ->
            withRealData "mnist" (fun _ ->
                let m = realMnist.Value.Value
                Expect.equal m.Train.Count 60000 "train count"
                Expect.equal m.Test.Count 10000 "test count"
                Expect.equal (m.Train.Channels, m.Train.Height, m.Train.Width) (1, 28, 28) "shape"
                Expect.sequenceEqual (m.Train.ClassCounts()) [| 5923; 6742; 5958; 6131; 5842; 5421; 5918; 6265; 5851; 5949 |] "train per class"
                Expect.sequenceEqual (m.Test.ClassCounts()) [| 980; 1135; 1032; 1010; 982; 892; 958; 1028; 974; 1009 |] "test per class")

        testCase "every file matches its pinned SHA-256" <| fun () ->
            withRealData "mnist" (fun root ->
                for f in DataCatalog.Mnist.Files do
                    let c = DataCatalog.Check(root, DataCatalog.Mnist, f)
                    Expect.equal c.Status ChecksumStatus.Match $"{f.Name}: {c.Actual} vs {c.Expected}")

        testCase "fingerprints differ between train and test and are stable across loads" <| fun () ->
            withRealData "mnist" (fun root ->
                let m = realMnist.Value.Value
                Expect.notEqual m.Train.Fingerprint m.Test.Fingerprint "train/test fingerprints"
                let again = Mnist.Load root
                Expect.equal again.Train.Fingerprint m.Train.Fingerprint "same files, same fingerprint")

        testCase "loading all 70k into floats: time and memory (printed, not asserted)" <| fun () ->
            withRealData "mnist" (fun root ->
                GC.Collect()
                let before = GC.GetTotalMemory true
                Mnist.Load root |> ignore // warm-up (JIT)
                let sw = Stopwatch.StartNew()
                let m = Mnist.Load root
                let xs = m.Train.ToFloats PixelScale.Caffe256
                let ts = m.Test.ToFloats PixelScale.Caffe256
                sw.Stop()
                let peak = Process.GetCurrentProcess().PeakWorkingSet64
                printfn "MNIST 70k -> float: %.0f ms; managed heap +%.0f MB; process peak working set %.0f MB"
                    sw.Elapsed.TotalMilliseconds (float (GC.GetTotalMemory false - before) / 1e6) (float peak / 1e6)
                Expect.equal (xs.Length + ts.Length) (70000 * 784) "float count")
    ]

[<Tests>]
let formats =
    testList "Data.Mnist.format" [
        testCase "raw and gzipped fixtures load to the same data" <| fun () ->
            use a = new TempDir()
            use b = new TempDir()
            let ra = Mnist.Load(writeMiniMnist a.Path false 12 5 28 28)
            let rb = Mnist.Load(writeMiniMnist b.Path true 12 5 28 28)
            Expect.equal ra.Train.Count 12 "count"
            Expect.equal (ra.Train.Height, ra.Train.Width) (28, 28) "dims from header"
            Expect.sequenceEqual ra.Train.Pixels rb.Train.Pixels "pixels"
            Expect.sequenceEqual ra.Test.Labels rb.Test.Labels "labels"
            Expect.notEqual ra.Train.Fingerprint rb.Train.Fingerprint "fingerprint is over the stored bytes"

        testCase "missing file names the folder and the file" <| fun () ->
            use d = new TempDir()
            writeMiniMnist d.Path false 3 2 28 28 |> ignore
            File.Delete(d.File "t10k-labels-idx1-ubyte")
            let e = Expect.throwsT<FileNotFoundException> (fun () -> Mnist.Load d.Path |> ignore) "missing"
            ()

        testCase "VerifyChecksums rejects a well-formed file that is not the official one" <| fun () ->
            use d = new TempDir()
            writeMiniMnist d.Path true 3 2 28 28 |> ignore
            let e = expectFormatError "checksum" (fun () -> Mnist.Load(d.Path, MnistOptions(VerifyChecksums = true)))
            Expect.stringContains e.Expected "SHA-256" "names the checksum"
    ]

/// One corruption case: a file name and a function from good IDX bytes to bad bytes.
let private corrupt (file: string) (mutate: byte[] -> byte[]) (check: DataFormatException -> unit) () =
    use d = new TempDir()
    writeMiniMnist d.Path false 20 10 28 28 |> ignore
    let p = d.File file
    File.WriteAllBytes(p, mutate (File.ReadAllBytes p))
    let e = expectFormatError file (fun () -> Mnist.Load d.Path)
    Expect.equal e.Path p "exception names the file"
    check e

let private setBE (offset: int) (v: uint32) (b: byte[]) =
    let c = Array.copy b
    c[offset] <- byte (v >>> 24); c[offset + 1] <- byte (v >>> 16); c[offset + 2] <- byte (v >>> 8); c[offset + 3] <- byte v
    c

[<Tests>]
let corruption =
    testList "Data.Mnist.corruption" [
        testCase "wrong magic" <| corrupt "train-images-idx3-ubyte" (setBE 0 0x00000801u) (fun e ->
            Expect.equal e.Offset 0L "at the magic"; Expect.stringContains e.Found "0x00000801" "found magic")
        testCase "truncated images" <| corrupt "train-images-idx3-ubyte" (fun b -> b[.. b.Length - 100]) (fun e ->
            Expect.stringContains e.Found "truncated" "says truncated")
        testCase "trailing bytes" <| corrupt "t10k-images-idx3-ubyte" (fun b -> Array.append b [| 1uy |]) (fun e ->
            Expect.stringContains e.Found "trailing" "says trailing")
        testCase "header dims not matching length" <| corrupt "train-images-idx3-ubyte" (setBE 8 27u) ignore
        testCase "header claiming 10^12 images is rejected without allocating" <| fun () ->
            corrupt "train-images-idx3-ubyte" (setBE 4 0xFFFFFFF0u) ignore ()
            corrupt "train-images-idx3-ubyte" (setBE 4 1_000_000_000u >> setBE 8 1000u) ignore ()
            // Measured on this thread alone (other tests allocate concurrently), raw and gzipped.
            let claim = idx [ 1_000_000_000; 1000; 1000 ] (Array.zeroCreate 784)
            for bytes in [ claim; gzip claim ] do
                let before = GC.GetAllocatedBytesForCurrentThread()
                expectFormatError "10^15 bytes claimed" (fun () -> Idx.ReadImages(SourceFile.FromBytes("claim.idx3", bytes, 16))) |> ignore
                let allocated = GC.GetAllocatedBytesForCurrentThread() - before
                Expect.isLessThan allocated 1_000_000L "no allocation sized by the header"
        testCase "label out of range" <| corrupt "train-labels-idx1-ubyte" (fun b -> let c = Array.copy b in c[8 + 5] <- 10uy; c) (fun e ->
            Expect.equal e.Offset 13L "offset of the bad label"; Expect.equal e.Found "10" "found value")
        testCase "label count differs from image count" <| corrupt "t10k-labels-idx1-ubyte" (fun b -> (setBE 4 9u b)[.. b.Length - 2]) ignore
        testCase "gzip that ends early" <| fun () ->
            use d = new TempDir()
            writeMiniMnist d.Path true 50 10 28 28 |> ignore
            let p = d.File "train-images-idx3-ubyte.gz"
            let b = File.ReadAllBytes p
            for cut in [ b.Length - 1; b.Length - 6; b.Length / 2; 12 ] do
                File.WriteAllBytes(p, b[.. cut - 1])
                let e = expectFormatError $"cut at {cut}" (fun () -> Mnist.Load d.Path)
                Expect.equal e.Path p "names the gz file"
        testCase "an image header claiming 14×56 (the same byte count as 28×28) is refused, naming the file and the dims" <| fun () ->
            for file in [ "train-images-idx3-ubyte"; "t10k-images-idx3-ubyte" ] do
                corrupt file (setBE 8 14u >> setBE 12 56u) (fun e ->
                    Expect.stringContains e.Message "14×56" "names the dims found"
                    Expect.stringContains e.Message "28×28" "names the dims MNIST promises") ()
    ]

/// A folder of symlinks to the files of `target` (as a user links a shared data set into a cache).
let private linkAll (target: string) (links: string) =
    for f in Directory.GetFiles target do
        File.CreateSymbolicLink(Path.Combine(links, Path.GetFileName f), f) |> ignore

[<Tests>]
let links =
    testList "Data.Mnist.symlinks" [
        testCase "a folder of symlinks loads to the same data as the files themselves" <| fun () ->
            use d = new TempDir()
            use l = new TempDir()
            writeMiniMnist d.Path true 20 10 28 28 |> ignore
            linkAll d.Path l.Path
            let direct = Mnist.Load d.Path
            let linked = Mnist.Load l.Path
            Expect.sequenceEqual linked.Train.Pixels direct.Train.Pixels "pixels read through the links"
            Expect.equal linked.Train.Fingerprint direct.Train.Fingerprint "fingerprint of the target's bytes"

        testCase "symlinks to the real MNIST: checksums match and the files load" <| fun () ->
            withRealData "mnist" (fun root ->
                use l = new TempDir()
                linkAll (Mnist.FindDirectory root |> Option.ofObj |> Option.defaultValue root) (Directory.CreateDirectory(l.File "mnist").FullName)
                for f in DataCatalog.Mnist.Files do
                    let c = DataCatalog.Check(l.Path, DataCatalog.Mnist, f)
                    Expect.equal c.Status ChecksumStatus.Match $"{f.Name} through its link: {c.Actual} vs {c.Expected}"
                let m = Mnist.Load(l.Path, MnistOptions(VerifyChecksums = true))
                Expect.equal (m.Train.Count, m.Test.Count) (60000, 10000) "loads through the links")
    ]
