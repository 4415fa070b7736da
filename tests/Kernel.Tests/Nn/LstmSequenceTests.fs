module InitLab.Kernel.Tests.Nn.LstmSequenceTests

open System
open Expecto
open InitLab.Kernel
open InitLab.Kernel.Nn

let private randn64 (shape: int[]) (seed: int) = Tensor.RandN(shape, Generator(seed), dtype = Float64)

/// Bytes this thread allocates over one training pass (forward, loss, backward) of `layer` on `x`, warm.
let bytesPerPass (layer: LSTM) (x: Tensor) (reps: int) =
    let pass () =
        let loss = layer.Forward(x).Sum()
        loss.Backward()
        layer.ZeroGrad()
    for _ in 1 .. reps do pass ()
    let before = GC.GetAllocatedBytesForCurrentThread()
    for _ in 1 .. reps do pass ()
    float (GC.GetAllocatedBytesForCurrentThread() - before) / float reps

[<Tests>]
let tests =
    testSequenced <| testList "Nn.lstmSequence" [
        testCase "the fused sequence op gives the unrolled cell's outputs and every gradient (float64)" <| fun () ->
            let layer = LSTM(3, 4, gen = Generator(31), dtype = Float64)
            let cell = LSTMCell(3, 4, gen = Generator(32), dtype = Float64)
            cell.CopyFrom layer
            let x = (randn64 [| 3; 5; 3 |] 33).RequireGrad()
            let h0, c0 = (randn64 [| 3; 4 |] 34).RequireGrad(), (randn64 [| 3; 4 |] 35).RequireGrad()
            let wOut, wC = randn64 [| 3; 5; 4 |] 36, randn64 [| 3; 4 |] 37
            let out, (_, cT) = layer.ForwardWithState(x, h0, c0)
            ((out * wOut).Sum() + (cT * wC).Sum()).Backward()
            let fused = [| yield! layer.Parameters |> Array.map (fun p -> p.Grad.ToArray()); x.Grad.ToArray(); h0.Grad.ToArray(); c0.Grad.ToArray() |]
            for t in [| x; h0; c0 |] do t.SetGrad null
            let mutable h, c = h0, c0
            let steps =
                [| for t in 0 .. 4 do
                       let h', c' = cell.Step(x.Select(1, t), h, c)
                       h <- h'
                       c <- c'
                       yield h' |]
            ((TensorOps.Stack(steps, 1) * wOut).Sum() + (c * wC).Sum()).Backward()
            let unrolled = [| yield! cell.Parameters |> Array.map (fun p -> p.Grad.ToArray()); x.Grad.ToArray(); h0.Grad.ToArray(); c0.Grad.ToArray() |]
            let names = [| yield! layer.NamedParameters |> Array.map fst; "x"; "h0"; "c0" |]
            for name, a, b in Array.zip3 names fused unrolled do
                let worst = Array.map2 (fun (p: float) q -> abs (p - q)) a b |> Array.max
                Expect.isLessThan worst 1e-12 $"{name}: fused vs unrolled gradient"

        testCase "the fused op's float64 gradcheck holds without biases too" <| fun () ->
            let l = LSTM(2, 3, bias = false, gen = Generator(38), dtype = Float64)
            let x = (randn64 [| 2; 3; 2 |] 39).RequireGrad()
            let w = randn64 [| 2; 3; 3 |] 40
            let inputs = Array.append l.Parameters [| x |]
            let report = InitLab.Kernel.Grad.GradCheck.check (fun _ -> (l.Forward(x) * w).Sum()) inputs
            Expect.isLessThan report.MaxRelError 1e-6 $"gradients agree:\n{report}"

        testCase "once warm, forward and backward allocate nothing per time step" <| fun () ->
            let layer = LSTM(10, 64, gen = Generator(41))
            let short, long = 2, 12
            let x steps = Tensor.RandN([| 32; steps; 10 |], Generator(42))
            let perCall = bytesPerPass layer (x short) 20
            let perStep = (bytesPerPass layer (x long) 20 - perCall) / float (long - short)
            // a pass has a fixed overhead (a handful of tensor objects per call); a time step adds none
            Expect.isLessThan perStep 1.0 $"bytes allocated per time step: {perStep:F1}"
            // and no buffer per call either: a [32; 64] float32 state alone would be 8 KB
            Expect.isLessThan perCall 8192.0 $"bytes allocated per forward + backward: {perCall:F0}"
    ]
