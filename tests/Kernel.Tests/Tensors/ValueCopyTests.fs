module InitLab.Kernel.Tests.Tensors.ValueCopyTests

open System
open Expecto
open InitLab.Kernel

let private throwsArg (f: unit -> unit) (fragment: string) =
    let e = Expect.throwsC f id
    Expect.isTrue (e :? ArgumentException) $"ArgumentException, got {e.GetType().Name}"
    Expect.stringContains e.Message fragment "the message names what is wrong"

[<Tests>]
let tests =
    testList "Tensors.values" [
        testCase "CopyTo then CopyFrom round-trips float32 bits, including NaN payloads and -0" <| fun () ->
            let values = [| 1.5f; -0.0f; Single.NaN; 1e-40f; -3.25f; 7.0f |]
            let t = Tensor.OfArray(values, [| 2; 3 |])
            let out = Array.zeroCreate<float32> 6
            t.CopyTo(Span out)
            Expect.sequenceEqual (out |> Array.map BitConverter.SingleToInt32Bits) (values |> Array.map BitConverter.SingleToInt32Bits) "copied out bit for bit"
            let u = Tensor.Zeros([| 2; 3 |])
            u.CopyFrom(ReadOnlySpan out)
            Expect.sequenceEqual (u.ToFloat32Array() |> Array.map BitConverter.SingleToInt32Bits) (values |> Array.map BitConverter.SingleToInt32Bits) "copied in bit for bit"

        testCase "CopyFrom writes in place: a view sharing the storage sees the new values" <| fun () ->
            let t = Tensor.Zeros([| 4 |], Float64)
            let held = t.Detach()
            t.CopyFrom(ReadOnlySpan [| 1.0; 2.0; 3.0; 4.0 |])
            Expect.equal (held.ToArray()) [| 1.0; 2.0; 3.0; 4.0 |] "the detached view shares storage"

        testCase "ToValueArray copies in the tensor's own dtype and CopyFrom(Array) restores it" <| fun () ->
            let t = Tensor.OfArray([| 0.1f; 0.2f; 0.3f |])
            let saved = t.ToValueArray()
            Expect.equal (saved.GetType()) typeof<float32[]> "float32 stays float32"
            t.CopyFrom(ReadOnlySpan [| 9.0f; 9.0f; 9.0f |])
            t.CopyFrom(saved)
            Expect.equal (t.ToFloat32Array()) [| 0.1f; 0.2f; 0.3f |] "restored"
            Expect.equal ((Tensor.OfArray [| 1.0 |]).ToValueArray().GetType()) typeof<float[]> "float64 stays float64"

        testCase "wrong length or element type is refused with the shape and dtype named; nothing is written" <| fun () ->
            let t = Tensor.OfArray([| 1.0f; 2.0f |])
            throwsArg (fun () -> t.CopyFrom(ReadOnlySpan [| 1.0f; 2.0f; 3.0f |])) "[2]"
            throwsArg (fun () -> t.CopyFrom(ReadOnlySpan [| 1.0; 2.0 |])) "float32"
            throwsArg (fun () -> t.CopyTo(Span(Array.zeroCreate<float32> 1))) "holds 2 values"
            throwsArg (fun () -> t.CopyFrom([| 1; 2 |] :> Array)) "Int32"
            Expect.equal (t.ToFloat32Array()) [| 1.0f; 2.0f |] "unchanged"

        testCase "AllFinite sees NaN and infinities" <| fun () ->
            Expect.isTrue ((Tensor.OfArray [| 1.0f; -2.0f |]).AllFinite()) "finite"
            Expect.isFalse ((Tensor.OfArray [| 1.0f; Single.NaN |]).AllFinite()) "NaN"
            Expect.isFalse ((Tensor.OfArray [| Double.NegativeInfinity |]).AllFinite()) "-inf"

        testCase "AllFinite finds one bad value anywhere in a long tensor (vector body or tail), in both precisions" <| fun () ->
            for length in [ 16; 17; 40; 1000 ] do
                for position in [ 0; 7; length / 2; length - 1 ] do
                    for bad in [ Double.NaN; Double.PositiveInfinity; Double.NegativeInfinity ] do
                        let values = Array.init length (fun i -> float i * 1e30)
                        values[position] <- bad
                        Expect.isFalse ((Tensor.OfArray values).AllFinite()) $"float64 {bad} at {position} of {length}"
                        Expect.isFalse ((Tensor.OfArray(Array.map float32 values)).AllFinite()) $"float32 {bad} at {position} of {length}"
                Expect.isTrue ((Tensor.OfArray(Array.init length (fun i -> float32 i * 1e30f))).AllFinite()) $"large finite float32 values, {length}"
    ]

[<Tests>]
let threadTests =
    testSequenced <| testList "Tensors.threads" [
        testCase "Threads.Use sets the count for its scope and restores the previous one, nested" <| fun () ->
            let before = Threads.Count
            using (Threads.Use 1) (fun _ ->
                Expect.equal Threads.Count 1 "outer scope"
                using (Threads.Use 3) (fun _ -> Expect.equal Threads.Count 3 "inner scope")
                Expect.equal Threads.Count 1 "inner restored")
            Expect.equal Threads.Count before "outer restored"

        testCase "a scope on one thread leaves another thread's count alone" <| fun () ->
            let before = Threads.Count
            let other = before % 4 + 1
            use _ = Threads.Use other
            let seen = Threading.Tasks.Task.Factory.StartNew((fun () -> Threads.Count), Threading.Tasks.TaskCreationOptions.LongRunning)
            Expect.equal seen.Result other "a task started inside the scope inherits it"
            let mutable onFresh = 0
            let t = Threading.Thread((fun () -> onFresh <- Threads.Count))
            Threading.ExecutionContext.SuppressFlow() |> ignore
            t.Start()
            Threading.ExecutionContext.RestoreFlow()
            t.Join()
            Expect.equal onFresh before "a thread without the flow sees the process default"

        testCase "an impossible count is refused with its value" <| fun () ->
            let e = Expect.throwsC (fun () -> Threads.Use 0 |> ignore) id
            Expect.stringContains e.Message "got 0" "names the value"
    ]
