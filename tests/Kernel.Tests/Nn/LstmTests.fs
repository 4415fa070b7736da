module InitLab.Kernel.Tests.Nn.LstmTests

open Expecto
open InitLab.Kernel
open InitLab.Kernel.Init
open InitLab.Kernel.Nn

/// The LSTM written out gate by gate, PyTorch's equations, with each gate's own weight block:
/// i = σ(x W_iiᵀ + b_ii + h W_hiᵀ + b_hi), f, g (tanh), o likewise; c' = f c + i g; h' = o tanh c'.
let private reference (wIh: Tensor) (wHh: Tensor) (bIh: Tensor) (bHh: Tensor) (x: Tensor) (h0: Tensor) (c0: Tensor) =
    let hidden = wHh.Shape[1]
    let block (w: Tensor) k = w.Narrow(0, k * hidden, hidden)
    let gate k (xt: Tensor) (h: Tensor) =
        xt.Matmul((block wIh k).T()) + block bIh k + h.Matmul((block wHh k).T()) + block bHh k
    let mutable h, c = h0, c0
    let outs =
        [| for t in 0 .. x.Shape[1] - 1 do
               let xt = x.Select(1, t)
               let i = (gate 0 xt h).Sigmoid()
               let f = (gate 1 xt h).Sigmoid()
               let g = (gate 2 xt h).Tanh()
               let o = (gate 3 xt h).Sigmoid()
               c <- f * c + i * g
               h <- o * c.Tanh()
               yield h |]
    outs, h, c

let private randn64 (shape: int[]) (seed: int) = Tensor.RandN(shape, Generator(seed), dtype = Float64)

let private close (tol: float) (label: string) (a: float[]) (b: float[]) =
    Expect.equal a.Length b.Length $"{label}: length"
    let worst = Array.map2 (fun x y -> abs (x - y)) a b |> Array.max
    Expect.isLessThan worst tol $"{label}: max difference"

[<Tests>]
let tests =
    testList "Nn.lstm" [
        testCase "LSTM: parameter names and shapes as PyTorch, output and state shapes" <| fun () ->
            let l = LSTM(3, 4, gen = Generator(1))
            Expect.equal (l.NamedParameters |> Array.map (fun (n, p) -> n, p.Shape))
                [| "weight_ih", [| 16; 3 |]; "weight_hh", [| 16; 4 |]; "bias_ih", [| 16 |]; "bias_hh", [| 16 |] |] "parameters"
            let out, (h, c) = l.ForwardWithState(Tensor.RandN([| 2; 5; 3 |], Generator(2)))
            Expect.equal out.Shape [| 2; 5; 4 |] "outputs"
            Expect.equal h.Shape [| 2; 4 |] "h"
            Expect.equal c.Shape [| 2; 4 |] "c"
            let bound = 1.0 / sqrt 4.0
            Expect.isTrue (l.Parameters |> Array.forall (fun p -> p.ToArray() |> Array.forall (fun v -> abs v <= bound))) "default U(±1/√H)"
            Expect.equal (LSTM(3, 4, bias = false).NamedParameters |> Array.map fst) [| "weight_ih"; "weight_hh" |] "no bias"

        testCase "LSTM matches the hand-unrolled gate-by-gate reference (float64)" <| fun () ->
            let l = LSTM(3, 5, gen = Generator(3), dtype = Float64)
            let x, h0, c0 = randn64 [| 2; 6; 3 |] 4, randn64 [| 2; 5 |] 5, randn64 [| 2; 5 |] 6
            let out, (h, c) = l.ForwardWithState(x, h0, c0)
            let refOuts, refH, refC = reference l.WeightIh l.WeightHh l.BiasIh l.BiasHh x h0 c0
            for t in 0 .. 5 do
                close 1e-12 $"output t={t}" (out.Select(1, t).ToArray()) (refOuts[t].ToArray())
            close 1e-12 "h_T" (h.ToArray()) (refH.ToArray())
            close 1e-12 "c_T" (c.ToArray()) (refC.ToArray())
            close 1e-12 "last output is h_T" (out.Select(1, 5).ToArray()) (h.ToArray())

        testCase "LSTM in float32 agrees with the float64 reference to float32 precision" <| fun () ->
            let l = LSTM(4, 3, gen = Generator(7))
            let x = Tensor.RandN([| 3; 4; 4 |], Generator(8))
            let out = l.Forward x
            let c64 (t: Tensor) = t.Cast Float64
            let refOuts, _, _ =
                reference (c64 l.WeightIh) (c64 l.WeightHh) (c64 l.BiasIh) (c64 l.BiasHh) (c64 x)
                          (Tensor.Zeros([| 3; 3 |], Float64)) (Tensor.Zeros([| 3; 3 |], Float64))
            close 1e-5 "outputs" (out.ToArray()) (TensorOps.Stack(refOuts, 1).ToArray())

        testCase "LSTMCell steps agree with the LSTM layer given the same parameters" <| fun () ->
            let layer = LSTM(3, 4, gen = Generator(9), dtype = Float64)
            let cell = LSTMCell(3, 4, gen = Generator(10), dtype = Float64)
            cell.CopyFrom layer
            let x = randn64 [| 2; 3; 3 |] 11
            let out, (hT, cT) = layer.ForwardWithState x
            let mutable h, c = cell.Step(x.Select(1, 0))
            close 1e-15 "step 0 from zero state" (h.ToArray()) (out.Select(1, 0).ToArray())
            for t in 1 .. 2 do
                let h', c' = cell.Step(x.Select(1, t), h, c)
                h <- h'
                c <- c'
            close 1e-12 "h_T" (h.ToArray()) (hT.ToArray())
            close 1e-12 "c_T" (c.ToArray()) (cT.ToArray())

        testCase "LSTM gradients match central differences (float64) for parameters, input and initial state" <| fun () ->
            let l = LSTM(3, 4, gen = Generator(12), dtype = Float64)
            let x = (randn64 [| 2; 4; 3 |] 13).RequireGrad()
            let h0 = (randn64 [| 2; 4 |] 14).RequireGrad()
            let c0 = (randn64 [| 2; 4 |] 15).RequireGrad()
            // a loss that weights every output and both final states differently
            let wOut, wH, wC = randn64 [| 2; 4; 4 |] 16, randn64 [| 2; 4 |] 17, randn64 [| 2; 4 |] 18
            let loss () =
                let out, (h, c) = l.ForwardWithState(x, h0, c0)
                (out * wOut).Sum() + (h * wH).Sum() + (c * wC).Sum()
            // every parameter and input is a leaf the check perturbs; f ignores its argument array
            let inputs = Array.append (l.NamedParameters |> Array.map snd) [| x; h0; c0 |]
            let names = Array.append (l.NamedParameters |> Array.map fst) [| "x"; "h0"; "c0" |]
            let report = InitLab.Kernel.Grad.GradCheck.checkWith 1e-6 1e-3 names (fun _ -> loss ()) inputs
            Expect.isLessThan report.MaxRelError 1e-6 $"analytic and numerical gradients agree:\n{report}"

        testCase "LSTM rejects a wrong input or state shape, naming it" <| fun () ->
            let l = LSTM(3, 4)
            let e = Expect.throwsC (fun () -> l.Forward(Tensor.Zeros [| 2; 5; 7 |]) |> ignore) id
            Expect.stringContains e.Message "[2; 5; 7]" "input shape"
            let e = Expect.throwsC (fun () -> l.ForwardWithState(Tensor.Zeros [| 2; 5; 3 |], Tensor.Zeros [| 3; 4 |], null) |> ignore) id
            Expect.stringContains e.Message "[3; 4]" "state shape"

        testCase "LSTM Clone and determinism" <| fun () ->
            let a, b = LSTM(3, 4, gen = Generator(20)), LSTM(3, 4, gen = Generator(20))
            let bits (m: Module) = m.Parameters |> Array.map (fun p -> p.ToFloat32Array())
            Expect.equal (bits a) (bits b) "same seed"
            let c = a.Clone()
            Expect.equal (bits c) (bits a) "clone"
            let x = Tensor.RandN([| 1; 3; 3 |], Generator(21))
            Expect.equal (c.Forward(x).ToFloat32Array()) (a.Forward(x).ToFloat32Array()) "same outputs"

        testCase "LSTM initialisers are configurable (orthogonal recurrent weights, constant biases)" <| fun () ->
            let l = LSTM(4, 4, weightInit = Orthogonal 1.0, biasInit = Constant 1.0, gen = Generator(22), dtype = Float64)
            let w = l.WeightHh.ToArray()  // [16; 4], tall: columns orthonormal
            for i in 0 .. 3 do
                for j in 0 .. 3 do
                    let dot = Seq.sum (seq { for k in 0 .. 15 -> w[k * 4 + i] * w[k * 4 + j] })
                    Expect.floatClose Accuracy.high dot (if i = j then 1.0 else 0.0) $"WᵀW[{i},{j}]"
            Expect.allEqual (l.BiasIh.ToArray()) 1.0 "bias"
    ]
