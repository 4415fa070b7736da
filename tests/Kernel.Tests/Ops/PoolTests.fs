module InitLab.Kernel.Tests.Ops.PoolTests

open Expecto
open FsCheck.FSharp
open InitLab.Kernel
open InitLab.Kernel.Tests.Check
open InitLab.Kernel.Tests.Raw

let poolCase =
    gen {
        let! n = dim 1 2
        let! c = dim 1 3
        let! k = dim 1 3
        let! stride = dim 1 3
        let! h = dim k 9
        let! w = dim k 9
        let! s = seed
        return [| n; c; h; w |], k, stride, s
    }

[<Tests>]
let tests =
    testList "ops.pool2d" [
        property 30 "max-pool forward matches the definition; gradcheck" poolCase (fun (shape, k, stride, s) ->
            let x = distinct s shape
            close 0.0 "max pool" (fst (Reference.maxPool (x.ToArray()) shape[0] shape[1] shape[2] shape[3] k stride)) (x.MaxPool2d(k, stride).ToArray())
            gradcheck "max pool" (fun t -> weighted s (t[0].MaxPool2d(k, stride))) [| x |])
        property 30 "average-pool forward matches the definition; gradcheck" poolCase (fun (shape, k, stride, s) ->
            let x = randn s shape
            close 1e-12 "avg pool" (Reference.avgPool (x.ToArray()) shape[0] shape[1] shape[2] shape[3] k stride) (x.AvgPool2d(k, stride).ToArray())
            gradcheck "avg pool" (fun t -> weighted s (t[0].AvgPool2d(k, stride))) [| x |])
        test "float32 max-pool agrees with float64" {
            let x = distinct 5 [| 2; 3; 8; 8 |]
            close 1e-6 "f32" (x.MaxPool2d(2).ToArray()) ((x.Cast Float32).MaxPool2d(2).ToArray())
        }
        test "a kernel larger than the input is a clear error" {
            throwsWith "kernel 5 is larger than the input 4×4" (fun () -> (Tensor.Zeros [| 1; 1; 4; 4 |]).MaxPool2d 5 |> ignore)
        }
    ]
