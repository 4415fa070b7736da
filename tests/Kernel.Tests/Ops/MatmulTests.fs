module InitLab.Kernel.Tests.Ops.MatmulTests

open Expecto
open FsCheck.FSharp
open InitLab.Kernel
open InitLab.Kernel.Tests.Check

let naive (a: float[]) (b: float[]) m k n =
    Array.init (m * n) (fun ij ->
        let i, j = ij / n, ij % n
        Seq.sum (seq { for p in 0 .. k - 1 -> a[i * k + p] * b[p * n + j] }))

let mkn = Gen.zip (Gen.zip (dim 1 7) (dim 1 7)) (Gen.zip (dim 1 7) seed)

[<Tests>]
let tests =
    testList "ops.matmul" [
        property 20 "2-D matmul matches the triple loop and gradchecks" mkn (fun ((m, k), (n, s)) ->
            let a, b = randn s [| m; k |], randn (s + 1) [| k; n |]
            close 1e-12 "matmul" (naive (a.ToArray()) (b.ToArray()) m k n) (a.Matmul(b).ToArray())
            gradcheck "matmul" (fun t -> weighted s (t[0].Matmul t[1])) [| a; b |])
        property 10 "batched matmul with equal batches and with a shared right operand" mkn (fun ((m, k), (n, s)) ->
            let a = randn s [| 3; m; k |]
            let b3 = randn (s + 1) [| 3; k; n |]
            let b2 = randn (s + 2) [| k; n |]
            let y = a.Matmul b3
            for i in 0 .. 2 do
                close 1e-12 "batch" (naive (a.Select(0, i).ToArray()) (b3.Select(0, i).ToArray()) m k n) (y.Select(0, i).ToArray())
            gradcheck "batched" (fun t -> weighted s (t[0].Matmul t[1])) [| a; b3 |]
            gradcheck "shared" (fun t -> weighted s (t[0].Matmul t[1])) [| a; b2 |])
        property 20 "linear = x·Wᵀ + b and gradchecks (with and without bias)" mkn (fun ((rows, inF), (outF, s)) ->
            let x, w, b = randn s [| rows; inF |], randn (s + 1) [| outF; inF |], randn (s + 2) [| outF |]
            let y = x.Linear(w, b)
            let expected = (x.Matmul(w.T()) + b).ToArray()
            close 1e-12 "linear" expected (y.ToArray())
            gradcheck "linear" (fun t -> weighted s (t[0].Linear(t[1], t[2]))) [| x; w; b |]
            gradcheck "linear without bias" (fun t -> weighted s (t[0].Linear(t[1], null))) [| x; w |])
        test "a shape mismatch names both shapes" {
            throwsWith "[2; 3]" (fun () -> (Tensor.Zeros [| 2; 3 |]).Matmul(Tensor.Zeros [| 4; 2 |]) |> ignore)
        }
    ]
