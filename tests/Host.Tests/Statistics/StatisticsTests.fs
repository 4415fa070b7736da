module InitLab.Host.Tests.Statistics.StatisticsTests

open System
open Expecto
open InitLab.Statistics

// R's built-in `sleep` data set (Student 1908; Cushny & Peebles 1905): extra hours of sleep of ten
// patients under drug 1 (group 1) and drug 2 (group 2). The reference values below are R's own output:
//   t.test(extra ~ group, data = sleep)
//     t = -1.8608, df = 17.776, p-value = 0.07939, 95 % CI -3.3654832 0.2054832
//   t.test(sleep$extra[1:10], sleep$extra[11:20], paired = TRUE)
//     t = -4.0621, df = 9, p-value = 0.002833, 95 % CI -2.4598858 -0.7001142, mean difference -1.58
//   t.test(sleep$extra[1:10])
//     mean 0.75, 95 % CI -0.5297804 2.0297804;  sd(sleep$extra[1:10]) = 1.78901
let group1 = [| 0.7; -1.6; -0.2; -1.2; -0.1; 3.4; 3.7; 0.8; 0.0; 2.0 |]
let group2 = [| 1.9; 0.8; 1.1; 0.1; -0.1; 4.4; 5.5; 1.6; 4.6; 3.4 |]

let close (tolerance: float) (actual: float) (expected: float) what =
    Expect.isTrue (abs (actual - expected) <= tolerance) $"{what}: {actual} vs R's {expected}"

[<Tests>]
let tests =
    testList "Statistics" [
        testCase "SampleSummary matches R's t.test on sleep group 1" <| fun () ->
            let s = SampleSummary.Of group1
            Expect.equal s.N 10 "n"
            close 1e-12 s.Mean 0.75 "mean"
            close 1e-5 s.StdDev 1.78901 "sd"
            close 1e-7 s.Low95 -0.5297804 "low"
            close 1e-7 s.High95 2.0297804 "high"

        testCase "Welch's test matches R's t.test(extra ~ group, sleep)" <| fun () ->
            let r = TTest.Welch(group1, group2)
            close 1e-4 r.T -1.8608 "t"
            close 1e-3 r.DegreesOfFreedom 17.776 "df"
            close 1e-5 r.PValue 0.07939 "p"
            close 1e-7 r.Low95 -3.3654832 "low"
            close 1e-7 r.High95 0.2054832 "high"
            Expect.isFalse (r.IsSignificant 0.05) "not significant at 5 %"

        testCase "Welch's test is antisymmetric in its arguments" <| fun () ->
            let r = TTest.Welch(group1, group2)
            let q = TTest.Welch(group2, group1)
            Expect.equal q.T (-r.T) "t flips"
            Expect.equal q.PValue r.PValue "same p"

        testCase "the paired test matches R's t.test(paired = TRUE) on sleep" <| fun () ->
            let r = TTest.Paired(group1, group2)
            close 1e-4 r.T -4.0621 "t"
            Expect.equal r.DegreesOfFreedom 9.0 "df"
            close 1e-6 r.PValue 0.002833 "p"
            close 1e-12 r.MeanDifference -1.58 "mean difference"
            close 1e-7 r.Low95 -2.4598858 "low"
            close 1e-7 r.High95 -0.7001142 "high"
            Expect.isTrue (r.IsSignificant 0.05) "significant at 5 %"

        testCase "Holm's correction on Wikipedia's worked example rejects H1 and H4 only" <| fun () ->
            // en.wikipedia.org/wiki/Holm–Bonferroni_method, "Example": p = 0.01, 0.04, 0.03, 0.005 at α = 0.05.
            // Adjusted by the definition (R's p.adjust "holm"): 0.005·4, 0.01·3, max(0.03·2, ·), max(0.04·1, ·).
            let p = [| 0.01; 0.04; 0.03; 0.005 |]
            let adjusted = HolmCorrection.Adjust p
            Array.iter2 (fun a e -> close 1e-15 a e "adjusted p") adjusted [| 0.03; 0.06; 0.06; 0.02 |]
            Expect.equal (HolmCorrection.Reject(p, 0.05)) [| true; false; false; true |] "rejections"

        testCase "Holm's adjusted p-values are capped at 1 and never below the raw ones" <| fun () ->
            let p = [| 0.9; 0.5; 0.02; 0.6 |]
            let adjusted = HolmCorrection.Adjust p
            Expect.equal adjusted.[0] 1.0 "capped"
            Array.iter2 (fun a r -> Expect.isGreaterThanOrEqual a r "adjusted ≥ raw") adjusted p

        testCase "bad input is refused naming the argument and the value" <| fun () ->
            let e = Expect.throwsC (fun () -> SampleSummary.Of [| 1.0; nan |] |> ignore) id
            Expect.stringContains e.Message "values[1]" "names the position"
            let e = Expect.throwsC (fun () -> SampleSummary.Of [||] |> ignore) id
            Expect.stringContains e.Message "at least 1" "empty sample"
            let e = Expect.throwsC (fun () -> TTest.Paired([| 1.0; 2.0 |], [| 1.0; 2.0; 3.0 |]) |> ignore) id
            Expect.stringContains e.Message "differ in length" "paired lengths"
            let e = Expect.throwsC (fun () -> TTest.Welch([| 1.0 |], [| 1.0; 2.0 |]) |> ignore) id
            Expect.stringContains e.Message "at least 2" "Welch needs two values"
            let e = Expect.throwsC (fun () -> HolmCorrection.Adjust [| 0.1; 1.5 |] |> ignore) id
            Expect.stringContains e.Message "1.5" "names the p-value"

        testCase "a single value has a mean but no spread; constant samples give p = 1 or 0" <| fun () ->
            let s = SampleSummary.Of [| 0.42 |]
            Expect.equal s.Mean 0.42 "mean"
            Expect.isTrue (Double.IsNaN s.StdDev && Double.IsNaN s.Low95) "no interval"
            Expect.equal (TTest.Welch([| 1.0; 1.0 |], [| 1.0; 1.0 |])).PValue 1.0 "equal constants"
            Expect.equal (TTest.Paired([| 2.0; 3.0 |], [| 1.0; 2.0 |])).PValue 0.0 "constant non-zero difference"
    ]
