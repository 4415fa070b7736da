module InitLab.Host.Tests.Store.SafeTensorsTests

open System
open System.Buffers.Binary
open System.Collections.Generic
open System.IO
open System.Text
open System.Text.Json
open Expecto
open InitLab.Store
open InitLab.Host.Tests.Store.StoreTestSupport

let sampleTensors () =
    [ tensor "conv1.weight" [| 2; 3 |] [| 1.5f; -0.0f; Single.NaN; Single.PositiveInfinity; 1e-40f; -3.25f |]
      tensor "scale" [||] [| Math.PI |] // scalar
      tensor "steps" [| 3 |] [| Int64.MinValue; 0L; Int64.MaxValue |]
      tensor "labels" [| 2; 2 |] [| -7; 0; 9; Int32.MaxValue |]
      tensor "mask" [| 5 |] [| 0uy; 1uy; 127uy; 128uy; 255uy |]
      tensor "empty" [| 0; 4 |] (Array.empty<float32>) ]

let meta = readOnlyDict [ "format", "pt"; "note", "ünïcödé ✓" ]

/// Builds a safetensors file by hand from a header string and data bytes (no padding added).
let rawFile (header: string) (data: byte[]) =
    let h = Encoding.UTF8.GetBytes header
    let bytes = Array.zeroCreate<byte> (8 + h.Length + data.Length)
    BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(0, 8), uint64 h.Length)
    h.CopyTo(bytes, 8)
    data.CopyTo(bytes, 8 + h.Length)
    bytes

let expectFormatError (dir: TempDir) (bytes: byte[]) (tensor: string option) (fragment: string) =
    let path = dir.File "bad.safetensors"
    File.WriteAllBytes(path, bytes)
    let e = throwsOf<CheckpointFormatException> (fun () -> SafeTensors.Read path |> ignore)
    Expect.equal e.FilePath path "names the file"
    Expect.stringContains e.Message path "message names the file"
    Expect.stringContains e.Message fragment "says what was wrong"
    match tensor with
    | Some t ->
        Expect.equal e.TensorName t "names the tensor"
        Expect.stringContains e.Message $"'{t}'" "message names the tensor"
    | None -> ()

/// One tensor "a" of two F32 values, written by hand.
let validSmall () =
    rawFile """{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}""" (Array.init 8 byte)

[<Tests>]
let tests =
    testList "Store.SafeTensors" [
        testCase "every dtype, scalars and empty tensors round-trip bit for bit with metadata" <| fun () ->
            use dir = new TempDir()
            let path = dir.File "all.safetensors"
            let tensors = sampleTensors ()
            SafeTensors.Write(path, tensors, meta)
            let file = SafeTensors.Read path
            Expect.sequenceEqual (file.Tensors |> Seq.map (fun t -> t.ToStateBuffer())) tensors "tensors equal bitwise, in order"
            Expect.sequenceEqual (file.Metadata |> Seq.sortBy _.Key) (meta |> Seq.sortBy _.Key) "metadata"
            Expect.equal (file["scale"].Shape) [||] "scalar shape"
            Expect.equal (file["scale"].AsDoubles()) [| Math.PI |] "scalar value"
            Expect.equal (file["mask"].AsBytes()) [| 0uy; 1uy; 127uy; 128uy; 255uy |] "bytes"
            Expect.equal (file["empty"].ElementCount) 0L "empty tensor"
            let e = throwsOf<InvalidOperationException> (fun () -> file["mask"].AsFloats() |> ignore)
            Expect.stringContains e.Message "'mask'" "wrong accessor names the tensor"
            Expect.throwsT<KeyNotFoundException> (fun () -> file["nope"] |> ignore) "unknown tensor"

        testCase "the written bytes follow the format when decoded by hand" <| fun () ->
            use dir = new TempDir()
            let path = dir.File "hand.safetensors"
            let w = [| 1.0f; -2.5f; 3.75f |]
            let idx = [| 10L; -20L |]
            SafeTensors.Write(path, [ tensor "w" [| 3 |] w; tensor "idx" [| 1; 2 |] idx ],
                              readOnlyDict [ "k", "v" ])
            let bytes = File.ReadAllBytes path
            let n = BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(0, 8)) |> int
            Expect.equal ((8 + n) % 8) 0 "data starts 8-byte aligned"
            let headerText = Encoding.UTF8.GetString(bytes, 8, n)
            Expect.equal (headerText.TrimEnd(' ').Length + (n - headerText.TrimEnd(' ').Length)) n "padding is spaces only"
            use doc = JsonDocument.Parse(headerText)
            let root = doc.RootElement
            Expect.equal (root.GetProperty("__metadata__").GetProperty("k").GetString()) "v" "metadata"
            let entry (name: string) = root.GetProperty name
            let offsets (name: string) = entry(name).GetProperty("data_offsets").EnumerateArray() |> Seq.map _.GetInt64() |> Array.ofSeq
            Expect.equal (entry("w").GetProperty("dtype").GetString()) "F32" "dtype w"
            Expect.equal (entry("idx").GetProperty("dtype").GetString()) "I64" "dtype idx"
            Expect.equal (entry("idx").GetProperty("shape").EnumerateArray() |> Seq.map _.GetInt64() |> Array.ofSeq) [| 1L; 2L |] "shape idx"
            let ow, oi = offsets "w", offsets "idx"
            Expect.equal (ow[1] - ow[0]) 12L "w spans 3 × 4 bytes"
            Expect.equal (oi[1] - oi[0]) 16L "idx spans 2 × 8 bytes"
            Expect.equal (bytes.Length - 8 - n) 28 "data section holds both and nothing else"
            let data = 8 + n
            for i in 0..2 do
                Expect.equal (BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(data + int ow[0] + 4 * i, 4))) w[i] $"w[{i}] little-endian"
            for i in 0..1 do
                Expect.equal (BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(data + int oi[0] + 8 * i, 8))) idx[i] $"idx[{i}] little-endian"

        testCase "python's safetensors (when installed) reads our file" <| fun () ->
            let probe =
                try
                    let p = Diagnostics.Process.Start(Diagnostics.ProcessStartInfo("python3", "-c \"import safetensors, numpy\"",
                                                                                    RedirectStandardError = true))
                    if p.WaitForExit 20_000 then p.ExitCode = 0
                    else
                        p.Kill true
                        p.WaitForExit()
                        false
                with _ -> false
            if not probe then skiptest "python3 with safetensors and numpy is not installed; the hand-decoding test covers the format"
            use dir = new TempDir()
            let path = dir.File "py.safetensors"
            SafeTensors.Write(path, [ tensor "w" [| 2; 2 |] [| 1.0f; 2.0f; 3.0f; 4.5f |] ], readOnlyDict [ "a", "b" ])
            let script = $"from safetensors.numpy import load_file; t = load_file(r'{path}'); print(t['w'].shape, float(t['w'].sum()))"
            let p = Diagnostics.Process.Start(Diagnostics.ProcessStartInfo("python3", [ "-c"; script ], RedirectStandardOutput = true))
            let out = p.StandardOutput.ReadToEnd()
            p.WaitForExit()
            Expect.equal p.ExitCode 0 "python read the file"
            Expect.stringContains out "(2, 2) 10.5" "python saw the same tensor"

        testCase "writing replaces the file atomically and leaves no temporary files" <| fun () ->
            use dir = new TempDir()
            let path = dir.File "ckpt.safetensors"
            SafeTensors.Write(path, [ tensor "a" [| 1 |] [| 1.0 |] ], null)
            SafeTensors.Write(path, [ tensor "b" [| 1 |] [| 2.0 |] ], null)
            let file = SafeTensors.Read path
            Expect.equal (file.Tensors |> Seq.map _.Name |> List.ofSeq) [ "b" ] "second write wins"
            Expect.equal (Directory.GetFiles dir.Path |> Array.map Path.GetFileName) [| "ckpt.safetensors" |] "only the target exists"

        testCase "bad tensors are refused before anything is written" <| fun () ->
            use dir = new TempDir()
            let path = dir.File "keep.safetensors"
            SafeTensors.Write(path, [ tensor "a" [| 1 |] [| 1.0 |] ], null)
            let before = File.ReadAllBytes path
            let e = throwsOf<ArgumentException> (fun () ->
                SafeTensors.Write(path, [ tensor "x" [| 1 |] [| 1.0 |]; tensor "x" [| 1 |] [| 2.0 |] ], null))
            Expect.stringContains e.Message "'x'" "names the duplicate"
            Expect.sequenceEqual (File.ReadAllBytes path) before "previous file kept"
            let refused t = throwsOf<ArgumentException> (fun () -> SafeTensors.Write(path, [ tensor "ok" [| 1 |] [| 1.0 |]; t ], null))
            let e = refused (tensor "w" [| 2; 3 |] [| 1.0f; 2.0f |])
            Expect.stringContains e.Message "[2, 3]" "names the shape"
            Expect.stringContains e.Message "'w'" "names the tensor"
            refused (tensor "w" [| -1 |] Array.empty<float32>) |> ignore
            refused (tensor "w" [| 1 |] [| "text" |]) |> ignore
            Expect.sequenceEqual (File.ReadAllBytes path) before "previous file kept after every refusal"

        testList "malformed files give CheckpointFormatException naming file, tensor and problem" [
            let case name (bytes: unit -> byte[]) tensor fragment =
                testCase name <| fun () ->
                    use dir = new TempDir()
                    expectFormatError dir (bytes ()) tensor fragment
            let f32 (offsets: string) (shape: string) = """{"a":{"dtype":"F32","shape":""" + shape + ""","data_offsets":""" + offsets + "}}"
            case "file shorter than 8 bytes" (fun () -> [| 1uy; 2uy; 3uy |]) None "too short"
            case "header length above 100 MB" (fun () ->
                let b = validSmall () in BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(0, 8), 200_000_000UL); b) None "limit"
            case "header length beyond the file" (fun () ->
                let b = validSmall () in BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(0, 8), 5000UL); b) None "exceeds"
            case "header length near 2^64" (fun () ->
                let b = validSmall () in BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(0, 8), UInt64.MaxValue); b) None "limit"
            case "header not JSON" (fun () -> rawFile "{\"a\": [1, " [||]) None "not valid JSON"
            case "header not UTF-8" (fun () ->
                let h = [| byte '{'; byte '"'; 0xC3uy; 0x28uy; byte '"'; byte ':'; byte '1'; byte '}' |]
                let r = Array.zeroCreate<byte> (8 + h.Length)
                BinaryPrimitives.WriteUInt64LittleEndian(r.AsSpan(0, 8), uint64 h.Length)
                h.CopyTo(r, 8)
                r) None "not valid UTF-8"
            case "header is an array" (fun () -> rawFile "[1, 2]" [||]) None "not an object"
            case "unsupported dtype" (fun () -> rawFile """{"a":{"dtype":"F16","shape":[2],"data_offsets":[0,4]}}""" (Array.zeroCreate 4)) (Some "a") "unsupported dtype 'F16'"
            case "dtype not a string" (fun () -> rawFile """{"a":{"dtype":3,"shape":[2],"data_offsets":[0,4]}}""" (Array.zeroCreate 4)) (Some "a") "dtype"
            case "negative dimension" (fun () -> rawFile (f32 "[0,8]" "[-2]") (Array.zeroCreate 8)) (Some "a") "negative"
            case "fractional dimension" (fun () -> rawFile (f32 "[0,8]" "[2.5]") (Array.zeroCreate 8)) (Some "a") "not an integer"
            case "shape product overflows" (fun () -> rawFile (f32 "[0,8]" "[4294967296, 4294967296]") (Array.zeroCreate 8)) (Some "a") "64 bits"
            case "huge shape in a tiny file is caught before allocating" (fun () ->
                rawFile (f32 "[0,4000000000000]" "[1000000000000]") (Array.zeroCreate 8)) (Some "a") "past the end"
            case "offsets do not match dtype × shape" (fun () -> rawFile (f32 "[0,12]" "[2]") (Array.zeroCreate 12)) (Some "a") "needs 8"
            case "end before begin" (fun () -> rawFile (f32 "[8,0]" "[2]") (Array.zeroCreate 8)) (Some "a") "before begin"
            case "offsets not a pair" (fun () -> rawFile (f32 "[0,8,16]" "[2]") (Array.zeroCreate 8)) (Some "a") "[begin, end]"
            case "negative offset" (fun () -> rawFile (f32 "[-8,0]" "[2]") (Array.zeroCreate 8)) (Some "a") "non-negative"
            case "missing field" (fun () -> rawFile """{"a":{"dtype":"F32","shape":[2]}}""" (Array.zeroCreate 8)) (Some "a") "missing 'data_offsets'"
            case "unknown field" (fun () -> rawFile """{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8],"x":1}}""" (Array.zeroCreate 8)) (Some "a") "unknown field 'x'"
            case "overlapping tensors" (fun () ->
                rawFile """{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"""
                    (Array.zeroCreate 12)) (Some "b") "overlap tensor 'a'"
            case "gap between tensors" (fun () ->
                rawFile """{"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2]},"b":{"dtype":"U8","shape":[2],"data_offsets":[4,6]}}"""
                    (Array.zeroCreate 6)) (Some "b") "gap"
            case "truncated data" (fun () -> rawFile (f32 "[0,8]" "[2]") (Array.zeroCreate 5)) (Some "a") "past the end"
            case "trailing bytes" (fun () -> rawFile (f32 "[0,8]" "[2]") (Array.zeroCreate 9)) None "trailing"
            case "duplicate tensor name" (fun () ->
                rawFile """{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"a":{"dtype":"U8","shape":[1],"data_offsets":[1,2]}}"""
                    (Array.zeroCreate 2)) (Some "a") "twice"
            case "metadata value not a string" (fun () -> rawFile """{"__metadata__":{"n":1}}""" [||]) None "metadata 'n'"
            case "metadata not an object" (fun () -> rawFile """{"__metadata__":[1]}""" [||]) None "not an object"
            case "tensor entry not an object" (fun () -> rawFile """{"a":5}""" [||]) (Some "a") "not an object"
        ]

        testCase "fuzz: 10,000 random and mutated files fail only with CheckpointFormatException" <| fun () ->
            use dir = new TempDir()
            let path = dir.File "fuzz.safetensors"
            let rng = Random 20240611
            let valid =
                let p = dir.File "valid.safetensors"
                SafeTensors.Write(p, [ tensor "w" [| 2; 2 |] [| 1.0f; 2.0f; 3.0f; 4.0f |]
                                       tensor "b" [| 3 |] [| 1uy; 2uy; 3uy |]
                                       tensor "n" [||] [| 7L |] ], readOnlyDict [ "k", "v" ])
                File.ReadAllBytes p
            let headerEnd = 8 + int (BinaryPrimitives.ReadUInt64LittleEndian(valid.AsSpan(0, 8)))
            let tokens = [| "\""; "{"; "}"; "["; "]"; ","; ":"; "-1"; "0"; "99999999999999999999"; "1e3"; "null"; "F64"; "U8"; "\\u0000"; " " |]
            let mutate () =
                let b = Array.copy valid
                match rng.Next 6 with
                | 0 -> // flip bytes anywhere in the header (including the length)
                    for _ in 1 .. 1 + rng.Next 4 do
                        let i = rng.Next headerEnd
                        b[i] <- byte (rng.Next 256)
                    b
                | 1 -> // splice a JSON token into the header text, keep the length field consistent
                    let h = Encoding.UTF8.GetString(b, 8, headerEnd - 8)
                    let at = rng.Next h.Length
                    let cut = rng.Next(0, 4)
                    let h2 = h.Substring(0, at) + tokens[rng.Next tokens.Length] + h.Substring(min h.Length (at + cut))
                    rawFile h2 b[headerEnd..]
                | 2 -> b[.. rng.Next b.Length] // truncate
                | 3 -> Array.append b (Array.init (1 + rng.Next 8) (fun _ -> byte (rng.Next 256))) // extend
                | 4 -> // change a digit inside the header (shapes, offsets)
                    let digits = [| for i in 8 .. headerEnd - 1 do if Char.IsDigit(char b[i]) then i |]
                    b[digits[rng.Next digits.Length]] <- byte '0' + byte (rng.Next 10)
                    b
                | _ -> // corrupt the data section only: still a valid file
                    if b.Length > headerEnd then b[headerEnd + rng.Next(b.Length - headerEnd)] <- byte (rng.Next 256)
                    b
            let randomBytes () =
                let b = Array.init (rng.Next 64) (fun _ -> byte (rng.Next 256))
                if b.Length >= 8 && rng.Next 2 = 0 then // plausible small header length
                    BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(0, 8), uint64 (rng.Next(0, b.Length)))
                b
            let mutable refused, accepted = 0, 0
            for case in 1..10_000 do
                let bytes = if case % 3 = 0 then randomBytes () else mutate ()
                File.WriteAllBytes(path, bytes)
                try
                    let f = SafeTensors.Read path
                    for t in f.Tensors do t.Data() |> ignore // accessors must also work on anything Read accepts
                    accepted <- accepted + 1
                with
                | :? CheckpointFormatException -> refused <- refused + 1
                | e -> failtestf "case %d (%s) threw %s: %s" case (Convert.ToHexString bytes) (e.GetType().Name) e.Message
            printfn "safetensors fuzz: %d refused, %d accepted" refused accepted
            Expect.isGreaterThan refused 5000 "most damaged files are refused"
    ]
