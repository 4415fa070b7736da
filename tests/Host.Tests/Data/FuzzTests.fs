/// Fuzzing each reader with ≥ 10,000 tiny inputs: mutated real headers plus random bytes.
/// The only acceptable failure is DataFormatException; anything else (or a hang) fails the test.
module InitLab.Host.Tests.Data.FuzzTests

open System
open System.Threading.Tasks
open Expecto
open InitLab.Data
open InitLab.Host.Tests.Data.DataTestSupport

let private cases = 10_000

/// Values that stress size arithmetic when written into header fields.
let private interesting = [| 0u; 1u; 2u; 3u; 28u; 255u; 256u; 0x7FFFFFFFu; 0x80000000u; 0xFFFFFFFFu; 1_000_000_000u; 60000u |]

/// One mutant of `seed` (or of random bytes): flips, header overwrites, truncation, extension, gzip wrapping.
let private mutate (rng: Random) (seed: byte[]) (headerFields: int list) =
    let b =
        match rng.Next 7 with
        | 0 -> Array.init (rng.Next 80) (fun _ -> byte (rng.Next 256))
        | 1 -> Array.append [| 0x1Fuy; 0x8Buy |] (Array.init (rng.Next 60) (fun _ -> byte (rng.Next 256)))
        | _ -> Array.copy seed
    let ops = 1 + rng.Next 3
    let mutable b = b
    for _ in 1 .. ops do
        match rng.Next 5 with
        | 0 when b.Length > 0 -> b[rng.Next b.Length] <- byte (rng.Next 256)
        | 1 when b.Length > 0 -> b <- b[.. rng.Next b.Length - 1]
        | 2 -> b <- Array.append b (Array.init (1 + rng.Next 8) (fun _ -> byte (rng.Next 256)))
        | 3 when not headerFields.IsEmpty ->
            let at = headerFields[rng.Next headerFields.Length]
            if at + 4 <= b.Length then
                let v = if rng.Next 2 = 0 then interesting[rng.Next interesting.Length] else uint32 (rng.Next()) 
                b[at] <- byte (v >>> 24); b[at + 1] <- byte (v >>> 16); b[at + 2] <- byte (v >>> 8); b[at + 3] <- byte v
        | _ -> ()
    // Also exercise the gzip path: a valid gzip around mutated content, or a mutated gzip.
    match rng.Next 6 with
    | 0 -> gzip b
    | 1 ->
        let g = gzip b
        if g.Length > 0 then g[rng.Next g.Length] <- byte (rng.Next 256)
        g
    | 2 -> let g = gzip b in g[.. rng.Next g.Length]
    | _ -> b

/// Runs `read` on `cases` mutants within a time limit; returns how many were accepted and rejected.
let private fuzz (name: string) (seed: byte[]) (headerFields: int list) (read: byte[] -> unit) =
    let work =
        Task.Run(fun () ->
            let rng = Random(name.Length * 7919 + seed.Length)
            let allocatedBefore = GC.GetAllocatedBytesForCurrentThread()
            let mutable accepted, rejected = 0, 0
            for i in 1 .. cases do
                let input = mutate rng seed headerFields
                try
                    read input
                    accepted <- accepted + 1
                with
                | :? DataFormatException -> rejected <- rejected + 1
                | e -> failtestf "%s case %d (%d bytes, %s...): %s: %s" name i input.Length (Convert.ToHexString(input[.. min 23 (input.Length - 1)])) (e.GetType().Name) e.Message
            // Inputs are under 7 KB: a reader that sizes buffers from header claims shows up here.
            let perCase = (GC.GetAllocatedBytesForCurrentThread() - allocatedBefore) / int64 cases
            if perCase > 1_000_000L then failtestf "%s: %d bytes allocated per case on average" name perCase
            accepted, rejected)
    if not (work.Wait(TimeSpan.FromSeconds 90.0)) then failtestf "%s: fuzzing hung" name
    let accepted, rejected = work.Result
    printfn "fuzz %s: %d cases, %d accepted, %d rejected with DataFormatException" name cases accepted rejected
    Expect.equal (accepted + rejected) cases "all cases ran"
    Expect.isGreaterThan rejected 0 "some mutants are rejected"

[<Tests>]
let tests =
    testList "Data.Fuzz" [
        testCase "IDX images" <| fun () ->
            let seed = idx [ 2; 3; 4 ] (Array.init 24 byte)
            fuzz "idx-images" seed [ 0; 4; 8; 12 ] (fun b -> Idx.ReadImages(SourceFile.FromBytes("fuzz.idx3", b, 16)) |> ignore)

        testCase "IDX labels" <| fun () ->
            let seed = idx [ 6 ] [| 0uy; 1uy; 9uy; 3uy; 4uy; 5uy |]
            fuzz "idx-labels" seed [ 0; 4 ] (fun b -> Idx.ReadLabels(SourceFile.FromBytes("fuzz.idx1", b, 8), 10) |> ignore)

        testCase "CIFAR-10 and CIFAR-100 records" <| fun () ->
            // Records shrunk to keep cases tiny would change the format; two real-size records are 6 KB.
            let seed10 = cifarRecords 2 1 (fun i _ -> byte (i + 3)) 1
            fuzz "cifar-10" seed10 [ 0; 3073 ] (fun b -> CifarBinary.Read(SourceFile.FromBytes("fuzz.bin", b), 1, 10, 0) |> ignore)
            let seed100 = cifarRecords 2 2 (fun i k -> byte (i + k * 40)) 2
            fuzz "cifar-100" seed100 [ 0; 3074 ] (fun b -> CifarBinary.Read(SourceFile.FromBytes("fuzz100.bin", b), 2, 100, 20) |> ignore)

        testCase "CIFAR-100 grey records (the staged derivative's own layout)" <| fun () ->
            let rng = Random 5
            let seed = [| for f in [ 3; 3; 8 ] do
                            yield byte (f / 5)
                            yield byte f
                            for _ in 1 .. 1024 do yield byte (rng.Next 256) |]
            fuzz "cifar-100-grey" seed [ 0; 1026; 2052 ] (fun b -> Cifar100Grey.Read(SourceFile.FromBytes("fuzz-grey.bin", b), 100, 20) |> ignore)

        testCase "PNG (Chars74K images)" <| fun () ->
            let seed = png 6 5 3 (Array.init 90 (fun i -> byte (i * 37)))
            fuzz "png" seed [ 8; 16; 20; 24; 33 ] (fun b -> PngDecoder.DecodeGrey("fuzz.png", b) |> ignore)
    ]
