module InitLab.Host.Tests.Studies.Textbook.FitDiagnosisTests

open Expecto
open InitLab.Studies

let diagnose (train: float list) (test: float list) = FitDiagnosis.Diagnose(List.toArray train, List.toArray test)

[<Tests>]
let tests =
    testList "Textbook.FitDiagnosis" [
        testCase "a test loss that turns upward while the training loss falls is over-fitting" <| fun () ->
            let a = diagnose [ 2.3; 1.0; 0.5; 0.2; 0.1 ] [ 2.3; 1.1; 0.7; 0.8; 0.9 ]
            Expect.equal a.Verdict FitVerdict.OverFitting a.Reason
            Expect.equal a.MinTestIndex 2 "minimum found"
            Expect.stringContains a.Reason "rose" "the reason says why"

        testCase "a memorised training set with a test loss far above is over-fitting even without a rise" <| fun () ->
            let a = diagnose [ 2.3; 0.5; 0.05; 0.01 ] [ 2.3; 0.8; 0.6; 0.59 ]
            Expect.equal a.Verdict FitVerdict.OverFitting a.Reason
            Expect.stringContains a.Reason "memorised" "the reason says why"

        testCase "a test loss a few times a training loss that is not memorised is still a good fit" <| fun () ->
            let a = diagnose [ 2.3; 0.6; 0.25; 0.15 ] [ 2.3; 0.7; 0.47; 0.45 ]
            Expect.equal a.Verdict FitVerdict.GoodFit a.Reason

        testCase "a training loss that stays high, with test close to it, is under-fitting" <| fun () ->
            let a = diagnose [ 2.3; 1.9; 1.8; 1.75 ] [ 2.3; 1.95; 1.85; 1.82 ]
            Expect.equal a.Verdict FitVerdict.UnderFitting a.Reason
            Expect.floatClose Accuracy.high a.Gap 0.07 "gap = final test − final train"

        testCase "low losses that fall together are a good fit" <| fun () ->
            let a = diagnose [ 2.3; 0.8; 0.4; 0.3 ] [ 2.3; 0.85; 0.5; 0.45 ]
            Expect.equal a.Verdict FitVerdict.GoodFit a.Reason

        testCase "the thresholds decide: a stricter under-fitting bar turns a good fit into under-fitting" <| fun () ->
            let a = FitDiagnosis.Diagnose([| 2.3; 0.8; 0.4; 0.3 |], [| 2.3; 0.85; 0.5; 0.45 |], FitThresholds(UnderfitTrainLoss = 0.2))
            Expect.equal a.Verdict FitVerdict.UnderFitting a.Reason

        testCase "curves of different length, too short, or not finite are refused" <| fun () ->
            let e = Expect.throwsC (fun () -> diagnose [ 1.0; 0.5 ] [ 1.0 ] |> ignore) id
            Expect.stringContains e.Message "2 points but test loss has 1" "lengths named"
            let e = Expect.throwsC (fun () -> diagnose [ 1.0 ] [ 1.0 ] |> ignore) id
            Expect.stringContains e.Message "at least 2" "minimum named"
            let e = Expect.throwsC (fun () -> diagnose [ 1.0; nan ] [ 1.0; 0.5 ] |> ignore) id
            Expect.stringContains e.Message "point 1" "point named"
    ]
