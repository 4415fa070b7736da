module InitLab.Kernel.Tests.Compare.LinearAssignmentTests

open Expecto
open InitLab.Kernel
open InitLab.Kernel.Compare
open InitLab.Kernel.Tests

/// Every injective map of rows to columns (small sizes only).
let rec private injections (rows: int) (free: int list) : int list list =
    if rows = 0 then [ [] ]
    else [ for c in free do for rest in injections (rows - 1) (List.filter ((<>) c) free) -> c :: rest ]

let private bruteMin (cost: float[,]) =
    injections (cost.GetLength 0) [ 0 .. cost.GetLength 1 - 1 ]
    |> List.map (fun a -> LinearAssignment.total cost (List.toArray a))
    |> List.min

let private randomCost (seed: int) rows cols =
    let g = Generator(seed)
    // a coarse grid makes ties common, which is where assignment codes go wrong
    Array2D.init rows cols (fun _ _ -> if g.NextDouble() < 0.5 then float (g.NextInt 4) else g.NextNormal() * 10.0)

let private isInjective (a: int[]) cols =
    a |> Array.forall (fun c -> c >= 0 && c < cols) && (Array.distinct a).Length = a.Length

[<Tests>]
let tests =
    testList "Compare.linear assignment" [
        Check.property 200 "minimize equals brute force on random square and rectangular matrices"
            (FsCheck.FSharp.Gen.zip3 Check.seed (Check.dim 1 6) (Check.dim 0 2)) (fun (seed, rows, extra) ->
                let cost = randomCost seed rows (rows + extra)
                let a = LinearAssignment.minimize cost
                Expect.isTrue (isInjective a (rows + extra)) $"assignment {a} is one-to-one"
                let best = bruteMin cost
                Expect.floatClose Accuracy.veryHigh (LinearAssignment.total cost a) best "optimal total")

        Check.property 100 "maximize equals brute force of the negated problem"
            (FsCheck.FSharp.Gen.zip Check.seed (Check.dim 1 6)) (fun (seed, n) ->
                let score = randomCost seed n n
                let a = LinearAssignment.maximize score
                let best = -(bruteMin (Array2D.map (~-) score))
                Expect.floatClose Accuracy.veryHigh (LinearAssignment.total score a) best "optimal total")

        testCase "a permuted diagonal is found exactly at size 300" <| fun () ->
            let n = 300
            let p = Generator(3).Permutation n
            // cost 0 on the planted matching, 1 + noise elsewhere: the only optimum is p
            let g = Generator(4)
            let cost = Array2D.init n n (fun i j -> if p[i] = j then 0.0 else 1.0 + g.NextDouble())
            Expect.equal (LinearAssignment.minimize cost) p "planted permutation"

        testCase "bad input names the problem" <| fun () ->
            let c = Array2D.init 2 2 (fun i j -> if i = 1 && j = 0 then nan else 1.0)
            Check.throwsWith "cost[1, 0] = NaN" (fun () -> LinearAssignment.minimize c |> ignore)
            Check.throwsWith "3×2" (fun () -> LinearAssignment.minimize (Array2D.zeroCreate 3 2) |> ignore)
    ]
