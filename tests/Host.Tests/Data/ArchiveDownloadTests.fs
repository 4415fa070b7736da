module InitLab.Host.Tests.Data.ArchiveDownloadTests

open System
open System.Formats.Tar
open System.IO
open System.IO.Compression
open Expecto
open InitLab.Data
open InitLab.Host.Tests.Data.DataTestSupport
open InitLab.Host.Tests.Data.LocalFileServer

/// Writes a .tar.gz (stored, not compressed: fast) with the given members.
let private writeTarGz (path: string) (members: (string * (unit -> Stream)) list) =
    use file = File.Create path
    use gz = new GZipStream(file, CompressionLevel.NoCompression)
    use tar = new TarWriter(gz, TarEntryFormat.Ustar)
    for name, open' in members do
        use data = open' ()
        let e = UstarTarEntry(TarEntryType.RegularFile, name)
        e.DataStream <- data
        tar.WriteEntry e

let private env (vars: (string * string) list) = Func<string, string>(fun k -> vars |> List.tryFind (fst >> (=) k) |> Option.map snd |> Option.toObj)

[<Tests>]
let tests =
    testList "Data.ArchiveDownload" [
        testCase "CIFAR-10 from a local mirror: archive resumed after a dropped connection, members SHA-256 checked" <| fun () ->
            withRealData "cifar-10-batches-bin" (fun root ->
                use site = new TempDir()
                let src = Path.Combine(root, "cifar-10-batches-bin")
                writeTarGz (site.File "cifar-10-binary.tar.gz")
                    [ for f in DataCatalog.Cifar10.Files do
                        yield $"cifar-10-batches-bin/{f.Name}", (fun () ->
                            // TarWriter needs a seekable member stream to know its length.
                            let ms = new MemoryStream()
                            (use g = new GZipStream(File.OpenRead(Path.Combine(src, f.Name + ".gz")), CompressionMode.Decompress)
                             g.CopyTo ms)
                            ms.Position <- 0L
                            ms :> Stream)
                      yield "cifar-10-batches-bin/batches.meta.txt", (fun () -> File.OpenRead(Path.Combine(src, "batches.meta.txt")) :> Stream) ]
                use server = new Server(site.Path, Map [ "cifar-10-binary.tar.gz", 50_000_000L ])
                use xdg = new TempDir()
                use log = new StringWriter()
                let r = DataRoot.Resolve(DataRootOptions(DataSets = [| "cifar-10" |], Environment = env [ "XDG_CACHE_HOME", xdg.Path ], Mirror = server.BaseUri, Warnings = log))
                Expect.equal r.Source DataRootSource.Downloaded $"notes %A{r.Notes}; log {log}"
                Expect.equal (server.Requests |> List.map snd |> List.filter ((<>) "")).Length 1 "one resumed Range request"
                for f in DataCatalog.Cifar10.Files do
                    Expect.equal (DataCatalog.Check(r.Root, DataCatalog.Cifar10, f)).Status ChecksumStatus.Match f.Name
                Expect.isFalse (File.Exists(Path.Combine(r.Root, "downloads", "cifar-10-binary.tar.gz"))) "archive removed after install"
                let d = Cifar10.Load r.Root
                Expect.equal (d.Train.Count, d.Test.Count) (50000, 10000) "loads")

        testCase "an archive whose member differs from its pin installs nothing and falls back loudly" <| fun () ->
            use site = new TempDir()
            let fake = cifarRecords 2 1 (fun _ _ -> 1uy) 5
            writeTarGz (site.File "cifar-10-binary.tar.gz")
                [ for f in DataCatalog.Cifar10.Files -> $"cifar-10-batches-bin/{f.Name}", (fun () -> new MemoryStream(fake) :> Stream) ]
            use server = new Server(site.Path, Map.empty)
            use xdg = new TempDir()
            use log = new StringWriter()
            let r = DataRoot.Resolve(DataRootOptions(DataSets = [| "cifar-10" |], Environment = env [ "XDG_CACHE_HOME", xdg.Path ], Mirror = server.BaseUri, Warnings = log))
            Expect.equal r.Source DataRootSource.Synthetic "fell back"
            Expect.isTrue (r.Notes |> Seq.exists (fun n -> n.Contains "SHA-256" && n.Contains "data_batch_1.bin")) $"names the member: %A{r.Notes}"
            let dir = Path.Combine(xdg.Path, "initlab", "cifar-10-batches-bin")
            let leftovers = if Directory.Exists dir then Directory.GetFiles dir else [||]
            Expect.isEmpty leftovers "nothing under real names"

        testCase "extracting a non-archive gives DataFormatException naming it" <| fun () ->
            use d = new TempDir()
            let p = d.File "bad.tar.gz"
            File.WriteAllBytes(p, gzip (Array.init 1000 byte))
            let e = expectFormatError "bad tar" (fun () -> ArchiveInstaller.Extract(p, DataCatalog.Cifar10, d.File "out"))
            Expect.equal e.Path p "names the archive"
    ]
