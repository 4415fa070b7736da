module InitLab.Kernel.Tests.Compare.FilterMatchingTests

open Expecto
open InitLab.Kernel
open InitLab.Kernel.Compare
open InitLab.Kernel.Tests

let private filters (seed: int) n = Tensor.RandN([| n; 1; 3; 3 |], Generator(seed), dtype = Float64)

[<Tests>]
let tests =
    testList "Compare.filter matching" [
        testCase "a permuted copy is matched one to one at distance 0" <| fun () ->
            let f = filters 1 16
            let p = Generator(2).Permutation 16
            let g = f.IndexSelect(0, p)
            let r = FilterMatching.compare f g
            for i in 0 .. 15 do
                Expect.equal p[r.Matched[i]] i $"filter {i} found"
                Expect.equal r.MatchedDistances[i] 0.0 "distance 0"
                Expect.equal r.Nearest[i] 0.0 "S_i = 0"

        testCase "S_i ≤ the matched distance, the matching is one to one and beats every other on small sets" <| fun () ->
            for seed in 1 .. 20 do
                let f, g = filters seed 4, filters (seed + 100) 5
                let r = FilterMatching.compare f g
                Expect.equal (Array.distinct r.Matched).Length 4 "one to one"
                for i in 0 .. 3 do
                    Expect.isLessThanOrEqual r.Nearest[i] r.MatchedDistances[i] "S_i is a lower bound"
                    Expect.floatClose Accuracy.veryHigh r.Distances[i, r.NearestIndex[i]] r.Nearest[i] "S_i"
                // brute force over the 5·4·3·2 injections
                let best =
                    [ for a in 0 .. 4 do
                        for b in 0 .. 4 do
                            for c in 0 .. 4 do
                                for d in 0 .. 4 do
                                    if List.length (List.distinct [ a; b; c; d ]) = 4 then
                                        yield r.Distances[0, a] + r.Distances[1, b] + r.Distances[2, c] + r.Distances[3, d] ]
                    |> List.min
                Expect.floatClose Accuracy.veryHigh (Array.sum r.MatchedDistances) best "optimal"
            // an E for which nearest-filter matching picks one G twice: S_i is then not a matching
            let f = Tensor.OfArray([| 0.0; 0.1 |], [| 2; 1 |])
            let g = Tensor.OfArray([| 0.05; 5.0 |], [| 2; 1 |])
            let r = FilterMatching.compare f g
            Expect.equal r.NearestIndex [| 0; 0 |] "both nearest to G_0"
            Expect.equal (Array.sort r.Matched) [| 0; 1 |] "matched to distinct filters"

        testCase "bad input names the shape or the value" <| fun () ->
            Check.throwsWith "[4; 1; 3; 3] and [4; 1; 5; 5]" (fun () -> FilterMatching.compare (filters 1 4) (Tensor.RandN([| 4; 1; 5; 5 |], Generator(1))) |> ignore)
            let v = Array.zeroCreate<float> 18
            v[11] <- nan
            Check.throwsWith "filter 1 of 'g' holds NaN at element 2" (fun () -> FilterMatching.compare (filters 1 2) (Tensor.OfArray(v, [| 2; 1; 3; 3 |])) |> ignore)
    ]
