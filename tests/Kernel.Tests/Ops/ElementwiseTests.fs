module InitLab.Kernel.Tests.Ops.ElementwiseTests

open System
open Expecto
open FsCheck.FSharp
open InitLab.Kernel
open InitLab.Kernel.Tests.Check

let unaries: (string * (Tensor -> Tensor) * (float -> float) * bool) list =
    // name, op, scalar reference, needs inputs away from a kink or a pole
    [ "exp", (fun t -> t.Exp()), Math.Exp, false
      "log", (fun t -> t.Abs().Log()), (fun x -> Math.Log(abs x)), true
      "sqrt", (fun t -> t.Abs().Sqrt()), (fun x -> Math.Sqrt(abs x)), true
      "abs", (fun t -> t.Abs()), abs, true
      "square", (fun t -> t.Square()), (fun x -> x * x), false
      "relu", (fun t -> t.Relu()), (fun x -> max x 0.0), true
      "sigmoid", (fun t -> t.Sigmoid()), (fun x -> 1.0 / (1.0 + Math.Exp -x)), false
      "tanh", (fun t -> t.Tanh()), Math.Tanh, false
      "neg", (fun t -> -t), (fun x -> -x), false
      "pow 3", (fun t -> Tensor.Pow(t, 3.0)), (fun x -> x * x * x), false
      "affine", (fun t -> 2.5 * t - 1.0), (fun x -> 2.5 * x - 1.0), false
      "reciprocal", (fun t -> 1.0 / t), (fun x -> 1.0 / x), true ]

let shapeAndSeed = Gen.zip (Gen.choose (1, 4) |> Gen.bind (shapeOfRank 1 4)) seed

/// Broadcast-compatible pair: b drops some leading axes and has some axes set to 1.
let broadcastPair =
    gen {
        let! rank = Gen.choose (1, 4)
        let! a = shapeOfRank 1 4 rank
        let! drop = Gen.choose (0, rank - 1)
        let! ones = Gen.listOfLength rank (Gen.elements [ true; false ])
        let b = a |> Array.mapi (fun i d -> if ones[i] then 1 else d) |> Array.skip drop
        let! swap = Gen.elements [ true; false ]
        let! s = seed
        return (if swap then b, a else a, b), s
    }

[<Tests>]
let tests =
    testList "ops.elementwise" [
        for name, op, reference, away in unaries do
            property 10 $"{name}: forward matches the scalar function" shapeAndSeed (fun (shape, s) ->
                let x = if away then randAway s shape else randn s shape
                let y = op x
                close 1e-12 name (x.ToArray() |> Array.map reference) (y.ToArray()))
            property 10 $"{name}: gradcheck float64" shapeAndSeed (fun (shape, s) ->
                let x = if away then randAway s shape else randn s shape
                gradcheck name (fun t -> weighted s (op t[0])) [| x |])
        for name, op, reference in [ "add", (+), (+); "sub", (-), (-); "mul", (*), (*); "div", (/), (/) ] do
            property 20 $"{name}: broadcasting forward matches NumPy rules" broadcastPair (fun ((sa, sb), s) ->
                let a, b = randn s sa, randAway (s + 1) sb
                let y: Tensor = op a b
                let out = Shape.broadcast sa sb
                Expect.equal y.Shape out "broadcast shape"
                // reference: index each operand with its broadcast strides
                let r = out.Length
                let pad (sh: int[]) = Array.append (Array.create (r - sh.Length) 1) sh
                let pa, pb = pad sa, pad sb
                let av, bv = a.ToArray(), b.ToArray()
                let expected =
                    Array.init (Shape.numel out) (fun flat ->
                        let idx = Array.zeroCreate r
                        let mutable rem = flat
                        for d in r - 1 .. -1 .. 0 do
                            idx[d] <- rem % out[d]
                            rem <- rem / out[d]
                        let at (p: int[]) = Array.fold2 (fun acc i d -> acc * d + (if d = 1 then 0 else i)) 0 idx p
                        reference av[at pa] bv[at pb])
                close 1e-12 name expected (y.ToArray()))
            property 20 $"{name}: gradcheck float64 through broadcasting" broadcastPair (fun ((sa, sb), s) ->
                let a, b = randn s sa, randAway (s + 1) sb
                gradcheck name (fun t -> weighted s (op t[0] t[1])) [| a; b |])
        test "float32 and float64 agree on a chain of ops" {
            let x64 = randn 3 [| 4; 5 |]
            let x32 = x64.Cast Float32
            let f (t: Tensor) = ((t.Tanh() * 3.0).Exp() + t.Square()).Sigmoid()
            close 1e-5 "f32 vs f64" ((f x64).ToArray()) ((f x32).ToArray())
        }
        test "incompatible shapes are a clear error" {
            throwsWith "[2; 3] and [4] cannot be broadcast" (fun () -> Tensor.Zeros [| 2; 3 |] + Tensor.Zeros [| 4 |] |> ignore)
        }
        test "relu backward passes the gradient exactly where x > 0, over vector bodies and tails, in both precisions" {
            // the backward runs 512-bit lanes then a scalar tail: NaN, ±0, ±∞ and signs land in both parts
            let special = [| Double.NaN; 0.0; -0.0; Double.PositiveInfinity; Double.NegativeInfinity; 1e-30; -1e-30 |]
            for length in [ 1; 7; 8; 15; 16; 17; 33; 70 ] do
                let xs = Array.init length (fun i -> if i % 5 = 0 then special[(i / 5) % special.Length] else float (i % 7) - 3.0)
                let gs = Array.init length (fun i -> 0.5 + float i)
                for dtype in [ Float32; Float64 ] do
                    let x = (Tensor.OfArray(xs, [| length |])).Cast(dtype).RequireGrad()
                    x.Relu().Backward((Tensor.OfArray(gs, [| length |])).Cast(dtype))
                    let expected = Array.map2 (fun x g -> if x > 0.0 then g else 0.0) xs gs
                    Expect.equal (x.Grad.ToArray()) expected $"relu backward, length {length}, {dtype}"
        }
    ]
