module InitLab.Kernel.Tests.Ops.SoftmaxTests

open System
open Expecto
open FsCheck.FSharp
open InitLab.Kernel
open InitLab.Kernel.Tests.Check

let shapeAxisSeed =
    gen {
        let! rank = Gen.choose (1, 3)
        let! shape = shapeOfRank 1 5 rank
        let! axis = Gen.choose (0, rank - 1)
        let! s = seed
        return shape, axis, s
    }

[<Tests>]
let tests =
    testList "ops.softmax" [
        property 30 "softmax is positive and sums to 1 along its axis" shapeAxisSeed (fun (shape, axis, s) ->
            let x = randn s shape * 10.0
            let p = x.Softmax axis
            Expect.isTrue (p.ToArray() |> Array.forall (fun v -> v > 0.0 && v <= 1.0)) "in (0, 1]"
            close 1e-12 "row sums" (Array.create (Shape.numel (Shape.reduced shape axis false)) 1.0) (p.Sum(axis).ToArray()))
        property 30 "log-softmax = log(softmax), stable for large logits" shapeAxisSeed (fun (shape, axis, s) ->
            let x = randn s shape * 300.0
            let ls = (x.LogSoftmax axis).ToArray()
            Expect.isTrue (ls |> Array.forall Double.IsFinite) "finite"
            let x2 = randn s shape
            close 1e-12 "log softmax" ((x2.Softmax axis).Log().ToArray()) ((x2.LogSoftmax axis).ToArray()))
        property 15 "softmax and log-softmax gradcheck" shapeAxisSeed (fun (shape, axis, s) ->
            gradcheck "softmax" (fun t -> weighted s (t[0].Softmax axis)) [| randn s shape |]
            gradcheck "log softmax" (fun t -> weighted s (t[0].LogSoftmax axis)) [| randn s shape |])
    ]
