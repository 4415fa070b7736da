module InitLab.Host.Tests.Sweeps.SweepTaskKindTests

open System
open Expecto
open InitLab.Data
open InitLab.Store
open InitLab.Studies
open InitLab.Sweeps
open InitLab.Host.Tests.Store.StoreTestSupport

/// Paper-001 arms trained for one epoch on a few synthetic images.
let tinyOptions =
    InitArmOptions(Convergence = ConvergenceRule(Window = 2, Tolerance = 0.5, AfterEpochs = 1, MaxEpochs = 1),
                   Threads = 1, EvaluationLimit = 100, TrainEvaluationLimit = 100)

[<Tests>]
let tests =
    testSequenced <| testList "sweeps.kinds" [
        test "a task kind is found by its name; an unknown one is refused at plan time, naming it" {
            Expect.equal (SweepTaskKinds.Find(InitArmTaskKind.KindName)).Name InitArmTaskKind.KindName "the paper-001 arm kind registers itself"
            Expect.isNull (SweepTaskKinds.Find null) "no kind: the LeNet trainer"
            let e = Expect.throwsC (fun () -> SweepTaskKinds.Find "no-such-kind" |> ignore) id
            Expect.stringContains e.Message "'no-such-kind'" "names the kind"
            Expect.stringContains e.Message InitArmTaskKind.KindName "lists the known ones"
            use dir = new TempDir()
            let bad = Sweep("k").Arm("x", TaskConfig(Kind = "no-such-kind"), [| 1 |])
            Expect.throwsT<ArgumentException> (fun () -> bad.Plan(dir.File "m.json") |> ignore) "planning checks the kind"
            let arm = InitArm("mnist", 10.0, InitMethod.DataDriven, 1.5, 1)
            let e = Expect.throwsC (fun () -> Sweep("k").Arm("d", InitArmTaskKind.Config(arm, tinyOptions, true), [| 1 |]).Plan(dir.File "m.json") |> ignore) id
            Expect.stringContains e.Message "delta" "the kind validates its own arm"
        }
        test "paper-001 arms as sweep tasks: trained once through the kind, skipped when done, read back by the study" {
            use dir = new TempDir()
            let store = dir.File "runs.db"
            let arms = [ InitArm("mnist", 1.0, InitMethod.Msra, 0.0, 1); InitArm("mnist", 1.0, InitMethod.DataDriven, 0.3, 1) ]
            let hook = InitSweep(dir.Path, store, tinyOptions, null, true)
            let m = hook.SweepOf(arms).Plan(dir.File "sweep.json")
            let m2 = SweepManifest.Load m.Path
            Expect.equal [ for t in m2.Tasks -> t.ConfigHash ] [ for t in m.Tasks -> t.ConfigHash ] "the arm JSON round-trips through the manifest"
            use s = SweepStores.Open store
            for i in 0 .. 1 do
                let o = TaskExecutor.Run(m2, i, s, TaskRunOptions(1))
                Expect.equal o.Kind TaskOutcomeKind.Trained o.Message
                let again = TaskExecutor.Run(m2, i, s, TaskRunOptions(1))
                Expect.equal again.Kind TaskOutcomeKind.Skipped again.Message
            let rows = SweepStatus.Of(m2, s)
            Expect.isTrue (rows |> Seq.forall (fun r -> r.State = TaskState.Done)) "both tasks done"
            let results = s.GetRuns InitArmTraining.Study
            Expect.equal [ for r in results -> r.Name, r.Status ] [ for a in arms -> a.Key, RunStatus.Finished ] "one finished result run per arm"
            let train, test = SyntheticDigits.Generate(6000, 1), SyntheticDigits.Generate(1000, 2)
            use training = new InitArmTraining(store)
            for a in arms do
                let r = training.RunOrReuse(a, train, test, tinyOptions)
                Expect.isTrue r.Reused $"{a.Key} is read back from the store, not trained again"
                let task = rows |> Seq.find (fun row -> row.Task.Arm = a.Key)
                Expect.equal (s.GetMetrics(task.RunId.Value, "arm/score_q3")).[0].Value r.Score "the task's run holds the arm's score"
            // the hook with --report-only trains nothing and accepts a done batch
            let reportOnly = InitSweep(dir.Path, store, tinyOptions, null, true, reportOnly = true)
            Expect.isTrue (reportOnly.Ensure(arms[0], arms)) "done batch"
            let missing = InitArm("mnist", 1.0, InitMethod.Msra, 0.0, 2)
            let e = Expect.throwsC (fun () -> reportOnly.Ensure(missing, [ missing ]) |> ignore) id
            Expect.stringContains e.Message "not done" "a report cannot be built from arms that never ran"
            Expect.equal (s.GetRuns InitArmTraining.Study).Count 2 "and nothing was trained for it"
        }
    ]
