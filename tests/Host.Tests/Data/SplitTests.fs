module InitLab.Host.Tests.Data.SplitTests

open System
open Expecto
open FsCheck
open FsCheck.FSharp
open InitLab.Data

/// Random label arrays: 2..10 classes, each with `minPerClass`..120 members, shuffled.
let private labelsGen minPerClass =
    gen {
        let! classes = Gen.choose (2, 10)
        let! sizes = Gen.listOfLength classes (Gen.choose (minPerClass, 120))
        let! seed = Gen.choose (0, 1000)
        let labels = sizes |> List.mapi (fun c n -> List.replicate n c) |> List.concat |> Array.ofList
        let rng = Random seed
        return classes, labels |> Array.sortBy (fun _ -> rng.Next())
    }

let private counts classes (labels: int[]) (idx: int[]) =
    let c = Array.zeroCreate classes
    for i in idx do c[labels[i]] <- c[labels[i]] + 1
    c

let private config = InitLab.Tests.FsCheckSeed.config 200

[<Tests>]
let tests =
    testList "Data.Splits" [
        testPropertyWithConfig config "stratified subsample: right total, distinct indices, class ratios within one sample" <|
            Prop.forAll (Arb.fromGen (Gen.zip (labelsGen 0) (Gen.choose (1, 1000)))) (fun ((classes, labels), permille) ->
                let pct = float permille / 10.0
                let idx = Splits.StratifiedSubsampleIndices(labels, classes, pct, 42)
                let n = labels.Length
                let k = int (Math.Round(float n * pct / 100.0, MidpointRounding.AwayFromZero))
                let full = counts classes labels [| 0 .. n - 1 |]
                let sub = counts classes labels idx
                idx.Length = k
                && (Array.distinct idx).Length = idx.Length
                && Array.forall (fun i -> i >= 0 && i < n) idx
                && Array.forall2 (fun (s: int) (f: int) -> n = 0 || abs (float s - float k * float f / float n) < 1.0) sub full)

        testCase "subsample is seeded: same seed same indices, other seed other indices" <| fun () ->
            let labels = Array.init 1000 (fun i -> i % 7)
            let a = Splits.StratifiedSubsampleIndices(labels, 7, 10.0, 1)
            Expect.sequenceEqual (Splits.StratifiedSubsampleIndices(labels, 7, 10.0, 1)) a "same seed"
            Expect.isFalse (Splits.StratifiedSubsampleIndices(labels, 7, 10.0, 2) = a) "other seed"

        testPropertyWithConfig config "train/val/test: exact counts, disjoint, stratified ratios within one per class" <|
            Prop.forAll (Arb.fromGen (Gen.zip (labelsGen 6) (Gen.three (Gen.choose (0, 100))))) (fun ((classes, labels), (a, b, c)) ->
                let n = labels.Length
                // Parts take at most half the set so every class (>= 6 members) can serve all three quotas.
                let tr, va, te = n * a / 200 / 3, n * b / 200 / 3, n * c / 200 / 3
                let full = counts classes labels [| 0 .. n - 1 |]
                [ true; false ] |> List.forall (fun stratified ->
                    let struct (x, y, z) = Splits.SplitIndices(labels, classes, tr, va, te, 9, stratified)
                    let all = Array.concat [ x; y; z ]
                    x.Length = tr && y.Length = va && z.Length = te
                    && (Array.distinct all).Length = all.Length
                    && (not stratified
                        || [ x; y; z ] |> List.forall (fun part ->
                            let pc = counts classes labels part
                            Array.forall2 (fun (s: int) (f: int) -> abs (float s - float part.Length * float f / float n) < 1.0) pc full))))

        testCase "impossible split counts and percents are rejected with the numbers" <| fun () ->
            let labels = Array.init 10 (fun i -> i % 2)
            let e = Expect.throwsT<ArgumentException> (fun () -> Splits.SplitIndices(labels, 2, 8, 2, 1, 0, true) |> ignore) "too many"
            Expect.throwsT<ArgumentOutOfRangeException> (fun () -> Splits.StratifiedSubsampleIndices(labels, 2, 0.0, 0) |> ignore) "0%"
            Expect.throwsT<ArgumentOutOfRangeException> (fun () -> Splits.StratifiedSubsampleIndices(labels, 2, nan, 0) |> ignore) "NaN"
            Expect.throwsT<ArgumentOutOfRangeException> (fun () -> Splits.StratifiedSubsampleIndices(labels, 2, 100.5, 0) |> ignore) "> 100"

        testCase "DataSet-level split keeps pixels with their labels" <| fun () ->
            let data = SyntheticDigits.Generate(300, 3)
            let s = Splits.TrainValidationTest(data, 100, 50, 50, 4)
            for part in [ s.Train; s.Validation; s.Test ] do
                Expect.equal (part.Channels, part.Height, part.Width) (1, 28, 28) "shape"
            Expect.equal s.Train.Count 100 "train count"
            // Every train image must be one of the source images with the same label.
            let lookup = dict [ for i in 0 .. data.Count - 1 -> Convert.ToBase64String(data.Image(i).ToArray()), data.Labels[i] ]
            for i in 0 .. s.Train.Count - 1 do
                Expect.equal lookup[Convert.ToBase64String(s.Train.Image(i).ToArray())] s.Train.Labels[i] $"label of train image {i}"
    ]
