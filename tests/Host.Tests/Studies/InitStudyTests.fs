module InitLab.Host.Tests.Studies.InitStudyTests

open System
open System.IO
open Expecto
open InitLab.Data
open InitLab.Reports
open InitLab.Statistics
open InitLab.Studies
open InitLab.Store
open InitLab.Host.Tests.Store.StoreTestSupport
open InitLab.Host.Tests.Studies.LeNetStudyTests
open InitLab.Host.Tests.Support

let private rule = ConvergenceRule(Window = 3, Tolerance = 0.01, AfterEpochs = 2, MaxEpochs = 10)

[<Tests>]
let tests =
    testList "studies.init" [
        test "R's quantile(type = 7) values: Q3 of 1:4 is 3.25, of 1:5 is 4, of (7, 1, 3) is 5" {
            // R: quantile(1:4, 0.75) = 3.25; quantile(1:5, 0.75) = 4; quantile(c(7, 1, 3), 0.75) = 5
            Expect.equal (Quantile.UpperQuartile [| 1.0; 2.0; 3.0; 4.0 |]) 3.25 "1:4"
            Expect.equal (Quantile.UpperQuartile [| 1.0; 2.0; 3.0; 4.0; 5.0 |]) 4.0 "1:5"
            Expect.equal (Quantile.UpperQuartile [| 7.0; 1.0; 3.0 |]) 5.0 "unsorted input"
            Expect.equal (Quantile.Of([| 2.0; 9.0 |], 0.0)) 2.0 "p = 0 is the minimum"
            Expect.throwsT<ArgumentOutOfRangeException> (fun () -> Quantile.Of([| 1.0 |], 1.5) |> ignore) "p out of range"
        }
        test "the convergence rule: the first epoch whose window of training errors lies within the tolerance" {
            Expect.equal (rule.ConvergedAt [| 0.5; 0.3; 0.2; 0.196; 0.192 |]) (Nullable 5) "0.2, 0.196, 0.192 within 0.01"
            Expect.equal (rule.ConvergedAt [| 0.5; 0.3; 0.2; 0.1 |]) (Nullable()) "still falling"
            Expect.equal (rule.ConvergedAt [| 0.5; 0.0 |]) (Nullable 2) "zero error has converged"
            Expect.isFalse (rule.IsDone [| 0.5; 0.3; 0.2; 0.196; 0.192; 0.19 |]) "one of two scored epochs run"
            Expect.isTrue (rule.IsDone [| 0.5; 0.3; 0.2; 0.196; 0.192; 0.19; 0.19 |]) "two scored epochs run"
            Expect.isTrue (rule.IsDone (Array.init 10 (fun i -> 0.9 - 0.05 * float i))) "the cap stops a run that never settles"
            Expect.throwsT<ArgumentOutOfRangeException> (fun () -> ConvergenceRule(Window = 1).Validate()) "window ≥ 2"
            Expect.throwsT<ArgumentOutOfRangeException> (fun () -> ConvergenceRule(AfterEpochs = 5, MaxEpochs = 3).Validate()) "cap ≥ after-epochs"
        }
        test "the convergence rule as the trainer's stop rule: silent until converged and scored, then a reason" {
            let stop = rule.AsStopRule()
            let ctx (errors: float list) =
                InitLab.Training.StopContext(10 * errors.Length, [], [], [ for i, e in List.indexed errors -> InitLab.Training.Evaluation(10 * (i + 1), 0.0, 1.0 - e, 100) ])
            Expect.isNull (stop.Check(ctx [])) "no evaluation yet"
            Expect.isNull (stop.Check(ctx [ 0.5; 0.3; 0.2; 0.196; 0.192; 0.19 ])) "converged at 5, one of two scored epochs run"
            let reason = stop.Check(ctx [ 0.5; 0.3; 0.2; 0.196; 0.192; 0.19; 0.19 ])
            Expect.isNotNull reason "two scored epochs run"
            Expect.stringContains reason "epoch 5" "names the epoch of convergence"
            Expect.stringContains (stop.Check(ctx [ for i in 0 .. 9 -> 0.9 - 0.05 * float i ])) "cap" "the cap"
        }
        test "an arm stops where the convergence rule says: converged epoch + scored epochs, or the cap" {
            let train, test = SyntheticDigits.Generate(300, 1), SyntheticDigits.Generate(100, 2)
            let convergence = ConvergenceRule(Window = 2, Tolerance = 0.2, AfterEpochs = 1, MaxEpochs = 6)
            use dir = new TempDir()
            use t = new InitArmTraining(dir.File "c.db")
            let r = t.RunOrReuse(InitArm("synthetic", 50.0, InitMethod.Msra, 0.0, 5), train, test, InitArmOptions(Convergence = convergence, Threads = 1))
            let expected = match Option.ofNullable r.ConvergedEpoch with Some c -> min 6 (c + 1) | None -> 6
            Expect.equal r.Epochs.Count expected "epochs trained"
            Expect.equal (r.Epochs |> Seq.map (fun e -> e.Epoch) |> List.ofSeq) [ 1 .. expected ] "one point per epoch"
            Expect.equal (Option.ofNullable (convergence.ConvergedAt [| for e in r.Epochs -> e.TrainError |])) (Option.ofNullable r.ConvergedEpoch) "the rule's epoch"
        }
        test "arms are data with stable keys" {
            Expect.equal (InitArm("mnist", 10.0, InitMethod.DataDriven, 0.3, 4).Key) "mnist/r10/data-driven/d0.3/s4" "proposed"
            Expect.equal (InitArm("mnist", 1.0, InitMethod.Msra, 0.0, 2, ArmPurpose.Validation).Key) "mnist/r1/msra/s2/val" "MSRA validation"
        }
        test "an arm trains to a Q3 score, is reused from the store, and repeats bit for bit" {
            use dir = new TempDir()
            let train, test = SyntheticDigits.Generate(400, 1), SyntheticDigits.Generate(100, 2)
            let options = InitArmOptions(Convergence = ConvergenceRule(Window = 2, Tolerance = 0.05, AfterEpochs = 1, MaxEpochs = 2), Threads = 1)
            let arm = InitArm("synthetic", 50.0, InitMethod.DataDriven, 0.5, 3)
            let first =
                use t = new InitArmTraining(dir.File "a.db")
                t.RunOrReuse(arm, train, test, options)
            Expect.isFalse first.Reused "trained"
            Expect.isGreaterThan first.Epochs.Count 0 "epochs recorded"
            Expect.isTrue (first.Score >= 0.0 && first.Score <= 1.0) "an accuracy"
            Expect.equal first.TrainImages 200 "50 % of 400, stratified"
            let again =
                use t = new InitArmTraining(dir.File "a.db")
                t.RunOrReuse(arm, train, test, options)
            Expect.isTrue again.Reused "reused from the store"
            Expect.equal again.Score first.Score "same score"
            let fresh =
                use t = new InitArmTraining(dir.File "b.db")
                t.RunOrReuse(arm, train, test, options)
            Expect.equal fresh.Conv1Trained first.Conv1Trained "same seed, same thread count: same trained weights"
            let msra =
                use t = new InitArmTraining(dir.File "b.db")
                t.RunOrReuse(InitArm("synthetic", 50.0, InitMethod.Msra, 0.0, 3), train, test, options)
            Expect.notEqual msra.Conv1Initial first.Conv1Initial "the initialisers differ"
        }
        test "exp_init.fsx --quick writes the comparison table and the claims, and renders in Chromium" {
            use dir = new TempDir()
            let out = dir.File "init"
            let stdout = StudyScript.runQuick "exp_init" out 10.0
            Expect.stringContains stdout "plan:" "prints its plan first"
            Expect.stringContains stdout "estimate:" "and an estimate"
            let html = File.ReadAllText(Path.Combine(out, "report.html"))
            for heading in [ "Results per data set and training subset"; "The paper&#39;s claims"; "Our reading of Algorithm 1"; "Holm-adjusted p"; "chosen δ" ] do
                Expect.isTrue (html.Contains heading || html.Contains(heading.Replace("&#39;", "'"))) $"report has '{heading}'"
            let shot = BrowserCheck.Render(Path.Combine(out, "report.html"), dir.File "init.png").EnsureRendered()
            Expect.isGreaterThanOrEqual shot.PlotsDrawn 4 "accuracy curves and δ sensitivity drew"
        }
    ]
