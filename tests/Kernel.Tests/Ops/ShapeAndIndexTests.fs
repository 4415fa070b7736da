module InitLab.Kernel.Tests.Ops.ShapeAndIndexTests

open Expecto
open FsCheck.FSharp
open InitLab.Kernel
open InitLab.Kernel.Ops
open InitLab.Kernel.Tests.Check

let shapeSeed = Gen.zip (Gen.choose (1, 4) |> Gen.bind (shapeOfRank 1 4)) seed

let permutation n = Gen.shuffle [| 0 .. n - 1 |]

[<Tests>]
let tests =
    testList "ops.views" [
        property 15 "reshape keeps row-major order and gradchecks" shapeSeed (fun (shape, s) ->
            let x = randn s shape
            let y = x.Reshape [| -1 |]
            Expect.equal (y.ToArray()) (x.ToArray()) "flat order"
            gradcheck "reshape" (fun t -> weighted s (t[0].Reshape [| 1; -1 |])) [| x |])
        property 15 "permute moves elements as indices say, and gradchecks"
            (shapeSeed |> Gen.bind (fun (sh, s) -> permutation sh.Length |> Gen.map (fun p -> sh, s, p)))
            (fun (shape, s, perm) ->
                let x = randn s shape
                let y = x.Permute perm
                Expect.equal y.Shape (perm |> Array.map (fun p -> shape[p])) "shape"
                let xs, ys = Shape.strides shape, Shape.strides y.Shape
                let xv, yv = x.ToArray(), y.ToArray()
                for flat in 0 .. yv.Length - 1 do
                    let mutable rem, src = flat, 0
                    for d in 0 .. y.Rank - 1 do
                        let i = rem / ys[d]
                        rem <- rem % ys[d]
                        src <- src + i * xs[perm[d]]
                    Expect.equal yv[flat] xv[src] "element"
                gradcheck "permute" (fun t -> weighted s (t[0].Permute perm)) [| x |])
        property 15 "narrow, select, concat and stack gradcheck" shapeSeed (fun (shape, s) ->
            let x = randn s shape
            let ax = shape.Length - 1
            let n = shape[ax]
            let start = n / 2
            gradcheck "narrow" (fun t -> weighted s (t[0].Narrow(ax, start, n - start))) [| x |]
            gradcheck "select" (fun t -> weighted s (t[0].Select(0, shape[0] - 1))) [| x |]
            let y = randn (s + 3) shape
            gradcheck "concat" (fun t -> weighted s (TensorOps.Concat([| t[0]; t[1]; t[0] |], ax))) [| x; y |]
            gradcheck "stack" (fun t -> weighted s (TensorOps.Stack([| t[0]; t[1] |], 0))) [| x; y |])
        test "concat then narrow gives the pieces back" {
            let a = randn 1 [| 2; 3 |]
            let b = randn 2 [| 2; 4 |]
            let c = TensorOps.Concat([| a; b |], 1)
            Expect.equal c.Shape [| 2; 7 |] "shape"
            Expect.equal (c.Narrow(1, 0, 3).ToArray()) (a.ToArray()) "first piece"
            Expect.equal (c.Narrow(1, 3, 4).ToArray()) (b.ToArray()) "second piece"
        }
        property 10 "index-select and gather gradcheck, with repeated indices" seed (fun s ->
            let x = randn s [| 5; 3 |]
            gradcheck "index select" (fun t -> weighted s (t[0].IndexSelect(0, [| 4; 0; 4; 2 |]))) [| x |]
            gradcheck "gather" (fun t -> weighted s (t[0].Gather [| 2; 0; 1; 1; 2 |])) [| x |])
        property 10 "transpose and expand gradcheck" seed (fun s ->
            gradcheck "transpose" (fun t -> weighted s (t[0].T())) [| randn s [| 3; 4 |] |]
            gradcheck "expand" (fun t -> weighted s (t[0].Expand [| 2; 3; 4 |])) [| randn s [| 3; 1 |] |])
        test "reshape to an impossible shape is a clear error" {
            throwsWith "cannot reshape 6 elements to [4; -1]" (fun () -> Tensor.Zeros [| 2; 3 |] |> fun t -> t.Reshape [| 4; -1 |] |> ignore)
        }
    ]
