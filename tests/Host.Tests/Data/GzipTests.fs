/// Gzip decoding: multi-member files are accepted; each kind of damage gets a message saying what it is.
module InitLab.Host.Tests.Data.GzipTests

open System
open System.IO
open Expecto
open InitLab.Data
open InitLab.Host.Tests.Data.DataTestSupport

let private content (rng: Random) n = Array.init n (fun _ -> byte (rng.Next 32))

let private decode (bytes: byte[]) =
    let c = SourceFile.FromBytes("test.gz", bytes, 16)
    Array.append c.Header (c.BodySpan.ToArray())

/// Rewrites a member's plain 10-byte header to carry FEXTRA, FNAME, FCOMMENT and FHCRC, as other gzip writers emit.
let private withOptionalFields (g: byte[]) =
    let fixedPart = Array.copy g[..9]
    fixedPart[3] <- 0x02uy ||| 0x04uy ||| 0x08uy ||| 0x10uy
    let fields = Array.concat [ [| 3uy; 0uy; 7uy; 8uy; 9uy |]; "train.idx\000"B; "made by hand\000"B ]
    let header = Array.append fixedPart fields
    let crc = Crc32.Compute(ReadOnlySpan header)
    Array.concat [ header; [| byte crc; byte (crc >>> 8) |]; g[10..] ]

let private flip (at: int) (b: byte[]) = let c = Array.copy b in c[at] <- c[at] ^^^ 0x01uy; c

/// Asserts that decoding fails with a DataFormatException naming the file and containing `word`.
let private refused (what: string) (word: string) (bytes: byte[]) =
    let e = expectFormatError what (fun () -> decode bytes)
    Expect.equal e.Path "test.gz" $"{what}: names the file"
    Expect.stringContains e.Message word $"{what}: says '{word}' ({e.Message})"
    Expect.isFalse (e.Message.Contains "unsupported compression method") $"{what}: not the misleading zlib text ({e.Message})"

[<Tests>]
let tests =
    testList "Data.Gzip" [
        testCase "a multi-member file decodes to the members' contents in order" <| fun () ->
            let rng = Random 3
            let data = content rng 50_000
            for cuts in [ [ 10 ]; [ 16; 17 ]; [ 1; 20_000; 49_999 ]; [ 0; 0; 25_000 ] ] do
                let bounds = 0 :: cuts @ [ data.Length ]
                let file = bounds |> List.pairwise |> List.map (fun (a, b) -> gzip data[a .. b - 1]) |> Array.concat
                Expect.sequenceEqual (decode file) data $"members cut at {cuts}"

        testCase "optional header fields (extra, name, comment, header CRC) are read past" <| fun () ->
            let data = content (Random 4) 5_000
            Expect.sequenceEqual (decode (withOptionalFields (gzip data))) data "one member"
            Expect.sequenceEqual (decode (Array.append (gzip data[..99]) (withOptionalFields (gzip data[100..])))) data "second member"

        testCase "a multi-member MNIST file loads" <| fun () ->
            use d = new TempDir()
            writeMiniMnist d.Path false 20 10 28 28 |> ignore
            let p = d.File "train-images-idx3-ubyte"
            let b = File.ReadAllBytes p
            File.WriteAllBytes(p + ".gz", Array.append (gzip b[..999]) (gzip b[1000..]))
            File.Delete p
            Expect.sequenceEqual (Mnist.Load d.Path).Train.Pixels b[16..] "pixels from both members"

        testCase "each kind of damage is named for what it is" <| fun () ->
            let g = gzip (content (Random 5) 20_000)
            let n = g.Length
            refused "cut inside the header" "truncated" g[..6]
            refused "header only" "truncated" g[..9]
            refused "cut in the deflate data" "truncated" g[.. n / 2]
            refused "cut in the trailer" "truncated" g[.. n - 3]
            refused "CRC flipped" "CRC" (flip (n - 8) g)
            refused "length flipped" "length" (flip (n - 2) g)
            refused "method 7" "method 7" (let c = Array.copy g in c[2] <- 7uy; c)
            refused "reserved flags" "reserved" (let c = Array.copy g in c[3] <- 0x20uy; c)
            refused "header CRC wrong" "header CRC" (flip 38 (withOptionalFields g)) // 10 fixed + 28 optional bytes, then the CRC
            refused "trailing bytes" "trailing" (Array.append g [| 1uy; 2uy; 3uy |])
            let second = gzip [| 1uy; 2uy |]
            refused "second member cut" "member 2" (Array.append g second[.. second.Length - 4])

        testCase "corrupt deflate data: a clear message, never the misleading zlib one" <| fun () ->
            let g = gzip (content (Random 6) 4_000)
            let rng = Random 7
            let mutable rejected = 0
            for _ in 1 .. 2_000 do
                let c = Array.copy g
                for _ in 1 .. 1 + rng.Next 3 do
                    let at = 10 + rng.Next(c.Length - 10)
                    c[at] <- c[at] ^^^ byte (1 + rng.Next 255)
                try
                    decode c |> ignore
                with :? DataFormatException as e ->
                    rejected <- rejected + 1
                    Expect.equal e.Path "test.gz" "names the file"
                    Expect.isFalse (e.Message.Contains "unsupported compression method") $"misleading message: {e.Message}"
            printfn "gzip damage: %d of 2000 damaged files rejected (any other decoded to data matching its CRC)" rejected
            Expect.isGreaterThan rejected 1_900 "nearly all damage is caught (the CRC is 32 bits)"
    ]
