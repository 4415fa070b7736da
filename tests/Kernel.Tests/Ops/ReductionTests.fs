module InitLab.Kernel.Tests.Ops.ReductionTests

open Expecto
open FsCheck.FSharp
open InitLab.Kernel
open InitLab.Kernel.Tests.Check

let shapeAxis =
    gen {
        let! rank = Gen.choose (1, 4)
        let! shape = shapeOfRank 1 4 rank
        let! axis = Gen.choose (-rank, rank - 1)
        let! keep = Gen.elements [ true; false ]
        let! s = seed
        return shape, axis, keep, s
    }

/// Reference reduction by explicit (outer, n, inner) indexing.
let reduceRef (f: float seq -> float) (shape: int[]) (axis: int) (values: float[]) =
    let ax = Shape.axis shape.Length axis
    let outer, n, inner = Shape.around shape ax
    [| for a in 0 .. outer - 1 do
           for i in 0 .. inner - 1 -> f (seq { for j in 0 .. n - 1 -> values[(a * n + j) * inner + i] }) |]

[<Tests>]
let tests =
    testList "ops.reductions" [
        property 20 "sum along an axis matches the reference" shapeAxis (fun (shape, axis, keep, s) ->
            let x = randn s shape
            let y = x.Sum(axis, keep)
            let ax = Shape.axis shape.Length axis
            Expect.equal y.Shape (Shape.reduced shape ax keep) "shape"
            close 1e-12 "sum" (reduceRef Seq.sum shape axis (x.ToArray())) (y.ToArray()))
        property 20 "max and argmax along an axis match the reference" shapeAxis (fun (shape, axis, keep, s) ->
            let x = distinct s shape
            close 0.0 "max" (reduceRef Seq.max shape axis (x.ToArray())) (x.Max(axis, keep).ToArray())
            let am = x.ArgMax axis
            let idx = reduceRef (fun v -> v |> Seq.mapi (fun i x -> x, float i) |> Seq.maxBy fst |> snd) shape axis (x.ToArray())
            Expect.equal am (idx |> Array.map int) "argmax")
        property 10 "sum(): gradcheck" shapeAxis (fun (shape, _, _, s) -> gradcheck "sum" (fun t -> t[0].Sum() * 1.5) [| randn s shape |])
        property 15 "sum(axis): gradcheck" shapeAxis (fun (shape, axis, keep, s) ->
            gradcheck "sum axis" (fun t -> weighted s (t[0].Sum(axis, keep))) [| randn s shape |])
        property 15 "mean(axis): gradcheck" shapeAxis (fun (shape, axis, keep, s) ->
            gradcheck "mean axis" (fun t -> weighted s (t[0].Mean(axis, keep))) [| randn s shape |])
        property 15 "max(axis): gradcheck (distinct values)" shapeAxis (fun (shape, axis, keep, s) ->
            gradcheck "max axis" (fun t -> weighted s (t[0].Max(axis, keep))) [| distinct s shape |])
        test "mean of all elements" {
            let x = Tensor.OfArray([| 1.0; 2.0; 3.0; 6.0 |], [| 2; 2 |])
            Expect.equal (x.Mean().Item) 3.0 "mean"
        }
        test "a bad axis names the axis and the rank" {
            throwsWith "axis 3 is out of range for a tensor of rank 2" (fun () -> Tensor.Zeros [| 2; 2 |] |> fun t -> t.Sum(3) |> ignore)
        }
    ]
