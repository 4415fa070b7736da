module InitLab.Host.Tests.Data.BatchTests

open System
open Expecto
open InitLab.Data

let private data = lazy (SyntheticDigits.Generate(250, 8))

/// Copies what matters of a batch (arrays may be recycled when ReuseBuffers is on).
let private snapshot (b: Batch) = Array.copy b.Indices, Array.copy b.Labels, Array.copy b.Images, b.Shape

/// Drains up to `limit` items of an async stream from a synchronous test.
let private takeAsync (limit: int) (stream: Collections.Generic.IAsyncEnumerable<Batch>) =
    let e = stream.GetAsyncEnumerator()
    try
        [ let mutable go = true
          let mutable n = 0
          while go && n < limit do
              go <- e.MoveNextAsync().AsTask().Result
              if go then
                  n <- n + 1
                  yield snapshot e.Current ]
    finally
        e.DisposeAsync().AsTask().Wait()

[<Tests>]
let tests =
    testList "Data.Batching" [
        testCase "an epoch visits every image once, with matching labels, pixels and shapes" <| fun () ->
            let d = data.Value
            let o = BatchOptions(32, Seed = 1, Scale = PixelScale.Caffe256)
            let batches = Batches.Epoch(d, o, 0) |> Seq.map snapshot |> List.ofSeq
            Expect.equal batches.Length 8 "ceil(250/32)"
            let idx = batches |> List.collect (fun (i, _, _, _) -> List.ofArray i)
            Expect.sequenceEqual (List.sort idx) [ 0 .. 249 ] "each image once"
            let (_, _, _, lastShape) = List.last batches
            Expect.sequenceEqual lastShape [| 26; 1; 28; 28 |] "last batch shape"
            for (ix, labels, images, shape) in batches do
                Expect.equal images.Length (shape[0] * 784) "image array length"
                for j in 0 .. ix.Length - 1 do
                    Expect.equal labels[j] d.Labels[ix[j]] "label"
                    let src = d.Image(ix[j]).ToArray()
                    for p in 0 .. 783 do
                        if images[j * 784 + p] * 256.0f <> float32 src[p] then failtestf "pixel %d of image %d" p ix[j]

        testCase "order is fixed by (seed, epoch) and differs between epochs" <| fun () ->
            let o = BatchOptions(50, Seed = 3)
            let order e = Batches.Epoch(data.Value, o, e) |> Seq.collect (fun b -> Array.copy b.Indices) |> Array.ofSeq
            Expect.sequenceEqual (order 0) (order 0) "same epoch, same order"
            Expect.isFalse (order 0 = order 1) "next epoch reshuffles"
            let unshuffled = Batches.Epoch(data.Value, BatchOptions(50, Shuffle = false), 0) |> Seq.collect (fun b -> Array.copy b.Indices) |> Array.ofSeq
            Expect.sequenceEqual unshuffled [| 0 .. 249 |] "no shuffle keeps order"

        testCase "prefetching, buffer reuse and the caller's thread give identical batches" <| fun () ->
            let run o = Batches.Epochs(data.Value, o, 2) |> Seq.map snapshot |> List.ofSeq
            let plain = run (BatchOptions(16, Seed = 4, Prefetch = 0))
            let prefetched = run (BatchOptions(16, Seed = 4, Prefetch = 3))
            let reused = run (BatchOptions(16, Seed = 4, Prefetch = 1, ReuseBuffers = true))
            Expect.equal prefetched plain "prefetch"
            Expect.equal reused plain "reuse"

        testCase "drop-last drops the short batch; stopping early ends the producer" <| fun () ->
            let bs = Batches.Epoch(data.Value, BatchOptions(32, DropLast = true), 0) |> List.ofSeq
            Expect.equal bs.Length 7 "floor(250/32)"
            Expect.isTrue (bs |> List.forall (fun b -> b.Count = 32)) "all full"
            let big = SyntheticDigits.Generate(2000, 1)
            let firstTwo = Batches.Epoch(big, BatchOptions(10, Prefetch = 1), 0) |> Seq.take 2 |> List.ofSeq
            Expect.equal firstTwo.Length 2 "took two and returned"

        testCase "the async stream gives the same batches as the synchronous epoch, with and without prefetch" <| fun () ->
            for prefetch in [ 0; 3 ] do
                let o = BatchOptions(24, Seed = 6, Prefetch = prefetch)
                let expected = Batches.Epoch(data.Value, o, 1) |> Seq.map snapshot |> List.ofSeq
                Expect.equal (takeAsync Int32.MaxValue (Batches.EpochAsync(data.Value, o, 1))) expected $"prefetch {prefetch}"

        testCase "the async stream stops on cancellation and when the consumer leaves early" <| fun () ->
            let big = SyntheticDigits.Generate(2000, 2)
            Expect.equal (takeAsync 3 (Batches.EpochAsync(big, BatchOptions(10, Prefetch = 2), 0))).Length 3 "left after three"
            use cts = new Threading.CancellationTokenSource()
            let e = Batches.EpochAsync(big, BatchOptions(10, Prefetch = 2), 0, cts.Token).GetAsyncEnumerator()
            Expect.isTrue (e.MoveNextAsync().AsTask().Result) "first batch"
            cts.Cancel()
            let thrown = try e.MoveNextAsync().AsTask().Wait(); None with :? AggregateException as a -> Some a.InnerException
            Expect.isTrue (match thrown with Some (:? OperationCanceledException) -> true | _ -> false) $"cancelled: %A{thrown}"
            Expect.isTrue (e.DisposeAsync().AsTask().Wait(TimeSpan.FromSeconds 30.0)) "producer ended"

        testCase "bad options are rejected" <| fun () ->
            Expect.throwsT<ArgumentException> (fun () -> Batches.Epoch(data.Value, BatchOptions(0), 0) |> ignore) "batch size 0"
            Expect.throwsT<ArgumentException> (fun () -> Batches.Epoch(data.Value, BatchOptions(8, Prefetch = -1), 0) |> ignore) "prefetch"
            Expect.throwsT<ArgumentException> (fun () -> Batches.EpochAsync(data.Value, BatchOptions(0), 0) |> ignore) "async: at the call"
    ]
