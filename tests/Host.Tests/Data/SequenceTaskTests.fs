module InitLab.Host.Tests.Data.SequenceTaskTests

open System
open Expecto
open InitLab.Data
open InitLab.Host.Tests.Data.DataTestSupport

[<Tests>]
let tests =
    testList "Data.SequenceTask" [
        testCase "pair indices: s ++ reverse(s), neighbours in both orders, 2n pairs" <| fun () ->
            for n in [ 1; 2; 3; 10 ] do
                let struct (a, b) = SequenceTask.PairIndices n
                Expect.equal a.Length (2 * n) "2n pairs"
                let r = Array.append [| 0 .. n - 1 |] [| n - 1 .. -1 .. 0 |]
                for k in 0 .. 2 * n - 1 do
                    Expect.equal (a[k], b[k]) (r[k], r[(k + 1) % (2 * n)]) $"pair {k} of n={n}"
                let pairs = Set.ofArray (Array.zip a b)
                for i in 0 .. n - 2 do
                    Expect.isTrue (pairs.Contains(i, i + 1) && pairs.Contains(i + 1, i)) $"({i},{i + 1}) both ways"

        testCase "labels are 2b − a + 9 of the digits shown, channels hold a then b" <| fun () ->
            let mnistLike = TrainTestSplit(SyntheticDigits.Generate(60, 1), SyntheticDigits.Generate(10, 2))
            let s = SequenceTask.Build(mnistLike, 42, 18)
            Expect.equal (s.Train.Count, s.Validation.Count, s.Test.Count) (84, 36, 20) "2n pairs per part"
            Expect.equal s.Train.Channels 2 "two channels"
            Expect.equal s.Train.ClassCount 28 "28 classes"
            Expect.equal s.Train.ClassNames[0] "-9" "class 0 is c = -9"
            let all = mnistLike.Train.Concat mnistLike.Test
            // Find each channel's digit by looking the image up among the sources.
            let lookup = dict [ for i in 0 .. all.Count - 1 -> Convert.ToBase64String(all.Image(i).ToArray()), all.Labels[i] ]
            for part, start in [ s.Train, 0; s.Validation, 42; s.Test, 60 ] do
                let first = part.Image(0).ToArray()
                Expect.sequenceEqual first[.. 783] (all.Image(start).ToArray()) $"{part.Name}: pair 0 starts with the part's first image"
                for k in 0 .. part.Count - 1 do
                    let img = part.Image(k).ToArray()
                    let a = lookup[Convert.ToBase64String img[.. 783]]
                    let b = lookup[Convert.ToBase64String img[784 ..]]
                    Expect.equal (int part.ClassNames[part.Labels[k]]) (2 * b - a) $"{part.Name} pair {k}"

        testCase "label function covers -9..18 and rejects non-digits" <| fun () ->
            Expect.equal (SequenceTask.Label(9, 0)) 0 "c = -9"
            Expect.equal (SequenceTask.Label(0, 9)) 27 "c = 18"
            Expect.throwsT<ArgumentOutOfRangeException> (fun () -> SequenceTask.Label(10, 0) |> ignore) "a = 10"

        testCase "real MNIST: 84,000 / 36,000 / 20,000 pairs, test part from the official test set" <| fun () ->
            withRealData "mnist" (fun _ ->
                let m = MnistTests.realMnist.Value.Value
                let s = SequenceTask.Build m
                Expect.equal (s.Train.Count, s.Validation.Count, s.Test.Count) (84000, 36000, 20000) "pair counts"
                Expect.sequenceEqual (s.Test.Image(0).ToArray()[.. 783]) (m.Test.Image(0).ToArray()) "test starts at official test image 0"
                let expected0 = 2 * m.Test.Labels[1] - m.Test.Labels[0] + 9
                Expect.equal s.Test.Labels[0] expected0 "label of the first test pair")
    ]
