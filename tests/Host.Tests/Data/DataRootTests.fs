module InitLab.Host.Tests.Data.DataRootTests

open System
open System.IO
open System.Net.Http
open System.Security.Cryptography
open Expecto
open InitLab.Data
open InitLab.Host.Tests.Data.DataTestSupport
open InitLab.Host.Tests.Data.LocalFileServer

/// An environment with only the given variables.
let private env (vars: (string * string) list) = Func<string, string>(fun k -> vars |> List.tryFind (fst >> (=) k) |> Option.map snd |> Option.toObj)

let private withMiniMnist (f: string -> unit) =
    use d = new TempDir()
    Directory.CreateDirectory(d.File "mnist") |> ignore
    writeMiniMnist (d.File "mnist") true 5 3 28 28 |> ignore
    f d.Path

[<Tests>]
let tests =
    testList "Data.DataRoot" [
        testCase "explicit root wins when it has the data" <| fun () ->
            withMiniMnist (fun root ->
                use other = new TempDir()
                let r = DataRoot.Resolve(DataRootOptions(ExplicitRoot = root, Environment = env [ "INITLAB_DATA", other.Path ], AllowDownload = false))
                Expect.equal r.Source DataRootSource.Explicit "explicit"
                Expect.equal r.Root (Path.GetFullPath root) "path")

        testCase "explicit root without data falls through to INITLAB_DATA, noting what was missing" <| fun () ->
            withMiniMnist (fun root ->
                use empty = new TempDir()
                let r = DataRoot.Resolve(DataRootOptions(ExplicitRoot = empty.Path, Environment = env [ "INITLAB_DATA", root ], AllowDownload = false))
                Expect.equal r.Source DataRootSource.EnvironmentVariable "env"
                Expect.isTrue (r.Notes |> Seq.exists (fun n -> n.Contains empty.Path && n.Contains "train-images")) $"notes: %A{r.Notes}")

        testCase "an explicit root that does not exist is refused, naming it, before any download" <| fun () ->
            withMiniMnist (fun root ->
                use xdg = new TempDir()
                let missing = Path.Combine(xdg.Path, "no-such-folder")
                let e =
                    try
                        DataRoot.Resolve(DataRootOptions(ExplicitRoot = missing, Environment = env [ "INITLAB_DATA", root; "XDG_CACHE_HOME", xdg.Path ])) |> ignore
                        failtest "resolved; expected the missing explicit root to be refused, not passed over to INITLAB_DATA"
                    with :? DataRootNotFoundException as e -> e
                Expect.equal e.Path missing "carries the path"
                Expect.stringContains e.Message missing "names the path"
                Expect.isFalse (Directory.Exists(Path.Combine(xdg.Path, "initlab"))) "nothing was downloaded into the cache")

        testCase "cache directory: XDG_CACHE_HOME/initlab, else ~/.cache/initlab, used when populated" <| fun () ->
            Expect.equal (DataRoot.DefaultCacheDirectory(env [ "XDG_CACHE_HOME", "/x/cache"; "HOME", "/home/u" ])) (Path.Combine("/x/cache", "initlab")) "xdg"
            Expect.equal (DataRoot.DefaultCacheDirectory(env [ "HOME", "/home/u" ])) (Path.Combine("/home/u", ".cache", "initlab")) "home"
            use xdg = new TempDir()
            let cache = Path.Combine(xdg.Path, "initlab")
            Directory.CreateDirectory(Path.Combine(cache, "mnist")) |> ignore
            writeMiniMnist (Path.Combine(cache, "mnist")) false 4 2 28 28 |> ignore
            let r = DataRoot.Resolve(DataRootOptions(Environment = env [ "XDG_CACHE_HOME", xdg.Path ], AllowDownload = false))
            Expect.equal r.Source DataRootSource.UserCache "cache"
            Expect.equal r.Root (Path.GetFullPath cache) "cache path"

        testCase "nothing found: synthetic fallback with a loud warning naming what was missing" <| fun () ->
            use xdg = new TempDir()
            use warnings = new StringWriter()
            let r = DataRoot.Resolve(DataRootOptions(Environment = env [ "XDG_CACHE_HOME", xdg.Path ], AllowDownload = false, Warnings = warnings))
            Expect.equal r.Source DataRootSource.Synthetic "synthetic"
            Expect.isNull r.Root "no root"
            let text = warnings.ToString()
            Expect.stringContains text "SYNTHETIC" "loud"
            Expect.stringContains text "mnist" "names the data set"
            Expect.stringContains text "train-images-idx3-ubyte" "names a missing file"
            Expect.stringContains text "INITLAB_DATA is not set" "says the variable is unset"

        testCase "download from a local server: dropped connection resumed with Range, SHA-256 verified" <| fun () ->
            withRealData "mnist" (fun root ->
                use server = new Server(Path.Combine(root, "mnist"), Map [ "train-images-idx3-ubyte.gz", 1_000_000L ])
                use xdg = new TempDir()
                use warnings = new StringWriter()
                let r =
                    DataRoot.Resolve(
                        DataRootOptions(Environment = env [ "XDG_CACHE_HOME", xdg.Path ], Mirror = server.BaseUri, Warnings = warnings,
                                        DownloadTimeout = TimeSpan.FromSeconds 30.0))
                Expect.equal r.Source DataRootSource.Downloaded $"downloaded; notes %A{r.Notes}; log {warnings}"
                let reqs = server.Requests |> List.filter (fst >> (=) "train-images-idx3-ubyte.gz")
                Expect.equal reqs.Length 2 $"one cut request and one resume: %A{reqs}"
                Expect.stringStarts (snd reqs[1]) "bytes=" "resumed with a Range request"
                Expect.isGreaterThan (int64 ((snd reqs[1])[6 .. (snd reqs[1]).Length - 2])) 0L "from a non-zero offset"
                for f in DataCatalog.Mnist.Files do
                    Expect.equal (DataCatalog.Check(r.Root, DataCatalog.Mnist, f)).Status ChecksumStatus.Match f.Name
                Expect.isEmpty (Directory.GetFiles(r.Root, "*.part", SearchOption.AllDirectories)) "no partial files left"
                // Second resolution uses the cache without contacting the server.
                let before = server.Requests.Length
                let again = DataRoot.Resolve(DataRootOptions(Environment = env [ "XDG_CACHE_HOME", xdg.Path ], Mirror = server.BaseUri))
                Expect.equal again.Source DataRootSource.UserCache "cached"
                Expect.equal server.Requests.Length before "no new requests")

        testCase "downloader: resumes an existing .part; wrong checksum leaves no file under the real name" <| fun () ->
            use site = new TempDir()
            let content = Array.init 300_000 (fun i -> byte (i * 31 % 251))
            File.WriteAllBytes(site.File "blob.gz", content)
            let sha = Convert.ToHexStringLower(SHA256.HashData content)
            use server = new Server(site.Path, Map.empty)
            use client = new HttpClient(Timeout = TimeSpan.FromSeconds 30.0)
            use dest = new TempDir()
            let target = dest.File "blob.gz"
            File.WriteAllBytes(target + ".part", content[.. 99_999])
            let d = FileDownloader(client)
            d.DownloadAsync([| Uri(server.BaseUri, "blob.gz") |], target, sha, Nullable 300_000L).Result |> ignore
            Expect.sequenceEqual (File.ReadAllBytes target) content "complete file"
            Expect.equal (snd (List.last server.Requests)) "bytes=100000-" "asked only for the rest"
            let target2 = dest.File "other.gz"
            let failure (t: Threading.Tasks.Task<string>) =
                try
                    t.Wait()
                    failtest "expected the download to fail"
                with :? AggregateException as e -> e.InnerException
            let ex = failure (d.DownloadAsync([| Uri(server.BaseUri, "blob.gz") |], target2, String('0', 64)))
            Expect.isTrue (ex :? IOException) $"IOException, got {ex.GetType().Name}"
            Expect.stringContains ex.Message "SHA-256" "says why"
            Expect.isFalse (File.Exists target2) "no file under the real name"
            Expect.isFalse (File.Exists(target2 + ".part")) "corrupt partial discarded"
            let ex404 = failure (d.DownloadAsync([| Uri(server.BaseUri, "missing.gz") |], target2, sha))
            Expect.stringContains ex404.Message "missing.gz" "names the file"
    ]

[<Tests>]
let digitSource =
    testList "Data.DigitSource" [
        testCase "real MNIST when found, else synthetic digits of the requested size with the warning" <| fun () ->
            use d = new TempDir()
            Directory.CreateDirectory(d.File "mnist") |> ignore
            writeMiniMnist (d.File "mnist") true 6 4 28 28 |> ignore
            let real = DigitSource.LoadMnistOrSynthetic(DataRootOptions(ExplicitRoot = d.Path, AllowDownload = false))
            Expect.isFalse real.Resolution.IsSynthetic "real"
            Expect.equal (real.Data.Train.Count, real.Data.Test.Count) (6, 4) "mini MNIST"
            use xdg = new TempDir()
            use warnings = new StringWriter()
            let opts = DataRootOptions(Environment = env [ "XDG_CACHE_HOME", xdg.Path ], AllowDownload = false, Warnings = warnings)
            let fake = DigitSource.LoadMnistOrSynthetic(opts, 5, 200, 50)
            Expect.isTrue fake.Resolution.IsSynthetic "synthetic"
            Expect.equal (fake.Data.Train.Count, fake.Data.Test.Count) (200, 50) "sizes"
            Expect.stringContains (warnings.ToString()) "SYNTHETIC" "warned"
            let trainImages = set [ for i in 0 .. 199 -> Convert.ToBase64String(fake.Data.Train.Image(i).ToArray()) ]
            Expect.isFalse ([ 0 .. 49 ] |> List.exists (fun i -> trainImages.Contains(Convert.ToBase64String(fake.Data.Test.Image(i).ToArray())))) "test images differ from training images"

        testCase "further data sets must be under the same root, and MNIST is always required" <| fun () ->
            use d = new TempDir()
            Directory.CreateDirectory(d.File "mnist") |> ignore
            writeMiniMnist (d.File "mnist") true 6 4 28 28 |> ignore
            use xdg = new TempDir()
            use warnings = new StringWriter()
            let options sets = DataRootOptions(ExplicitRoot = d.Path, DataSets = sets, Environment = env [ "XDG_CACHE_HOME", xdg.Path ], AllowDownload = false, Warnings = warnings)
            let both = DigitSource.LoadMnistOrSynthetic(options [ "mnist"; "chars74k-hnd" ], 3, 30, 10)
            Expect.isTrue both.Resolution.IsSynthetic "the root lacks Chars74K, so both fall back"
            Expect.equal both.Data.Train.Count 30 "synthetic train"
            Expect.stringContains (warnings.ToString()) "chars74k-hnd" "the warning names the missing set"
            let onlyOther = DigitSource.LoadMnistOrSynthetic(options [ "chars74k-hnd" ], 3, 30, 10)
            Expect.isTrue onlyOther.Resolution.IsSynthetic "MNIST is added to the sets, Chars74K still required"
            let mnistOnly = DigitSource.LoadMnistOrSynthetic(options [ "mnist" ], 3, 30, 10)
            Expect.equal mnistOnly.Resolution.Root (Path.GetFullPath d.Path) "real MNIST and the root that holds it"
            Expect.equal mnistOnly.Data.Train.Count 6 "mini MNIST"
    ]
