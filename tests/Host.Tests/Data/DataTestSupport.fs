/// Helpers shared by the data tests: locating the real data, temporary folders, writing IDX/gzip fixtures.
module InitLab.Host.Tests.Data.DataTestSupport

open System
open System.IO
open System.IO.Compression
open Expecto

/// The catalog data set whose files live in a data root's `sub` folder.
let private catalogName (sub: string) =
    InitLab.Data.DataCatalog.All
    |> Seq.tryFind (fun e -> e.Folder = sub)
    |> Option.map (fun e -> e.Name)
    |> Option.defaultWith (fun () -> failwithf "no catalog data set lives in '%s'" sub)

/// Real data resolved once per data set, the way the product does (INITLAB_DATA, then the user cache,
/// then the pinned download into it): the root, or why there is none.
let private resolutions = Collections.Concurrent.ConcurrentDictionary<string, Lazy<Result<string, string>>>()

let private resolve (dataSet: string) =
    resolutions.GetOrAdd(dataSet, fun name ->
        lazy
            let r = InitLab.Data.DataRoot.Resolve(InitLab.Data.DataRootOptions(DataSets = [ name ], Warnings = TextWriter.Null))
            // Each note is cut short: a failed download lists every URL and attempt.
            let brief (n: string) = if n.Length > 140 then n[..139] + "…" else n
            if r.IsSynthetic then Error(sprintf "no real %s data: %s" name (r.Notes |> Seq.map brief |> String.concat "; ")) else Ok r.Root).Value

/// The data root holding the real catalog data set `dataSet` ("mnist", "cifar-10", "chars74k-hnd"), if any can be had.
let realRoot (dataSet: string) : string option =
    match resolve dataSet with
    | Ok root -> Some root
    | Error _ -> None

/// Runs `f root` with a data root holding the real data of folder `sub` ("mnist", "cifar-10-batches-bin",
/// "chars74k/English/Hnd"); where none can be had the test is skipped, saying what was tried.
let withRealData (sub: string) (f: string -> unit) =
    match resolve (catalogName sub) with
    | Ok root -> f root
    | Error reason -> skiptest reason

/// A fresh temporary directory, deleted when disposed.
type TempDir() =
    let path = Path.Combine(Path.GetTempPath(), "initlab-test-" + Guid.NewGuid().ToString("N"))
    do Directory.CreateDirectory path |> ignore
    member _.Path = path
    member _.File(name: string) = Path.Combine(path, name)
    interface IDisposable with
        member _.Dispose() = try Directory.Delete(path, true) with _ -> ()

let gzip (data: byte[]) =
    use ms = new MemoryStream()
    (use g = new GZipStream(ms, CompressionLevel.Fastest, true)
     g.Write(data, 0, data.Length))
    ms.ToArray()

let private be (v: int) = [| byte (v >>> 24); byte (v >>> 16); byte (v >>> 8); byte v |]

/// An IDX file of unsigned bytes with the given dimensions and payload.
let idx (dims: int list) (payload: byte[]) =
    Array.concat [ [| 0uy; 0uy; 8uy; byte dims.Length |]; yield! dims |> List.map be; payload ]

/// Writes a small MNIST-layout folder (raw or gzipped) with n train and m test images of h×w; returns the folder.
let writeMiniMnist (dir: string) (gz: bool) (n: int) (m: int) (h: int) (w: int) =
    let rng = Random(7)
    let imgs k = Array.init (k * h * w) (fun _ -> byte (rng.Next 256))
    let labs k = Array.init k (fun i -> byte (i % 10))
    let write (name: string) (bytes: byte[]) =
        if gz then File.WriteAllBytes(Path.Combine(dir, name + ".gz"), gzip bytes)
        else File.WriteAllBytes(Path.Combine(dir, name), bytes)
    write "train-images-idx3-ubyte" (idx [ n; h; w ] (imgs n))
    write "train-labels-idx1-ubyte" (idx [ n ] (labs n))
    write "t10k-images-idx3-ubyte" (idx [ m; h; w ] (imgs m))
    write "t10k-labels-idx1-ubyte" (idx [ m ] (labs m))
    dir

/// Asserts `f` throws DataFormatException and returns it.
let expectFormatError (what: string) (f: unit -> 'a) : InitLab.Data.DataFormatException =
    try
        f () |> ignore
        failtestf "%s: expected DataFormatException, nothing was thrown" what
    with
    | :? InitLab.Data.DataFormatException as e -> e
    | :? AssertException -> reraise ()
    | e -> failtestf "%s: expected DataFormatException, got %s: %s" what (e.GetType().Name) e.Message

/// A minimal PNG encoder (8-bit, colour type 0 grey or 2 RGB, no interlace, filter 0) for fixtures.
let png (width: int) (height: int) (channels: int) (pixels: byte[]) =
    let chunk (typ: string) (data: byte[]) =
        let t = Text.Encoding.ASCII.GetBytes typ
        let crc = InitLab.Data.Crc32.Compute(ReadOnlySpan(Array.append t data))
        Array.concat [ be data.Length; t; data; be (int crc) ]
    let raw =
        [| for y in 0 .. height - 1 do
             yield 0uy
             yield! pixels[y * width * channels .. (y + 1) * width * channels - 1] |]
    let idat =
        use ms = new MemoryStream()
        (use z = new ZLibStream(ms, CompressionLevel.Optimal, true)
         z.Write(raw, 0, raw.Length))
        ms.ToArray()
    let ihdr = Array.concat [ be width; be height; [| 8uy; (if channels = 3 then 2uy else 0uy); 0uy; 0uy; 0uy |] ]
    Array.concat [ [| 0x89uy; 0x50uy; 0x4Euy; 0x47uy; 0x0Duy; 0x0Auy; 0x1Auy; 0x0Auy |]; chunk "IHDR" ihdr; chunk "IDAT" idat; chunk "IEND" [||] ]

/// CIFAR binary records: `labelBytes` label bytes each (from `label i`), then 3072 pixel bytes.
let cifarRecords (n: int) (labelBytes: int) (label: int -> int -> byte) (seed: int) =
    let rng = Random seed
    [| for i in 0 .. n - 1 do
         for k in 0 .. labelBytes - 1 do yield label i k
         for _ in 1 .. 3072 do yield byte (rng.Next 256) |]
