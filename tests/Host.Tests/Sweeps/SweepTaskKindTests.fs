module InitLab.Host.Tests.Sweeps.SweepTaskKindTests

open System
open Expecto
open InitLab.Data
open InitLab.Store
open InitLab.Studies
open InitLab.Studies.Sequence
open InitLab.Sweeps
open InitLab.Host.Tests.Store.StoreTestSupport

/// Paper-001 arms trained for one epoch on a few synthetic images.
let tinyOptions =
    InitArmOptions(Convergence = ConvergenceRule(Window = 2, Tolerance = 0.5, AfterEpochs = 1, MaxEpochs = 1),
                   Threads = 1, EvaluationLimit = 100, TrainEvaluationLimit = 100)

/// Paper 000's study, tiny: 5 iterations at batch 16, two seeds, one thread.
let tinyLeNetStudy =
    StudyConfig(
        Name = "lenet-init",
        Net = NetConfig(Name = "lenet5", WeightInit = "xavier-normal"),
        Solver = SolverConfig(Type = "sgd", BaseLr = 0.001, Momentum = 0.9, WeightDecay = 0.0005, LrPolicy = "inv", Gamma = 0.0001, Power = 0.75,
                              MaxIter = 5, Batch = 16),
        Data = DataConfig(Sets = [ "mnist"; "chars74k-hnd" ], Invert = true, ShuffleSeed = 7, Split = SplitConfig(TrainPercent = 80.0, Seed = 42)),
        Seeds = [ 1; 2 ],
        Threads = 1)
/// Paper-003 seeds small enough for a test: 2 filters, 2 epochs of 3 batches on 40 + 20 synthetic images.
let tinySequence =
    SequenceStudyOptions(Filters = 2, Hidden = 8, LstmHidden = 8, Epochs = 2, BatchSize = 16, MaxBatchesPerEpoch = 3,
                         TrainImages = 40, ValidationImages = 20, TestImages = 20, ValidationPairs = 20, TestPairs = 20, Threads = 1)

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
        test "paper-000 arms as sweep tasks: declared once, the worker's arm config is the script's, trained once, reused only, refused when never run" {
            let study = tinyLeNetStudy
            let arms = LeNetArmTaskKind.Arms(study, true)
            Expect.equal [ for a in arms -> a.Name ] [ "chars1"; "mnist1"; "chars2"; "mnist2" ] "chars k, then mnist k, per seed"
            use dir = new TempDir()
            let store = dir.File "runs.db"
            let sweep = Sweep("lenet-init-sweep")
            for a in arms do sweep.Arm(a.Name, a.Config, a.Seeds) |> ignore
            let m = SweepManifest.Load(sweep.Plan(dir.File "sweep.json").Path)
            let data = LeNetStudyData.Load(study, null)
            Expect.isTrue data.IsSynthetic "null options: synthetic, nothing searched"
            for t in m.Tasks do
                let struct (s, arm, synthetic) = LeNetArmTaskKind.Read(t.Config, "t")
                Expect.isTrue synthetic "the script's synthetic flag reaches the worker"
                let struct (train, test) = data.For arm.Set
                Expect.equal (s.ArmConfigJson(arm.Name, arm.Seed, train, test)) (study.ArmConfigJson(arm.Name, arm.Seed, train, test))
                    $"{arm.Name}: the worker stores the config the script looks for"
            let bad = LeNetArmTaskKind.Config(study, LeNetArm("x1", "cifar", 1, 1), true)
            let e = Expect.throwsC (fun () -> Sweep("k").Arm("x1", bad, [| 1 |]).Plan(dir.File "bad.json") |> ignore) id
            Expect.stringContains e.Message "'cifar'" "the kind names the impossible set"
            // --report-only on a store that never ran them: refused, nothing trained
            let reportOnly = StudySweep("lenet-init-sweep", dir.Path, store, StudySweepOptions(ReportOnly = true))
            let e = Expect.throwsC (fun () -> reportOnly.Ensure(arms) |> ignore) id
            Expect.stringContains e.Message "not done" "names what is missing"
            let inStore () =
                use s = RunStore.Open store
                Expect.equal (s.GetRuns "lenet-init").Count 0 "nothing was trained for it"
                let o = TaskExecutor.Run(m, 0, s, TaskRunOptions(1))
                Expect.equal o.Kind TaskOutcomeKind.Trained o.Message
                Expect.equal (TaskExecutor.Run(m, 0, s, TaskRunOptions(1))).Kind TaskOutcomeKind.Skipped "done: skipped"
                Expect.equal [ for r in s.GetRuns "lenet-init" -> r.Name, r.Status ] [ "chars1", RunStatus.Finished ] "the arm's own run, once"
            inStore ()
            use runner = new StudyRunner(store, ReuseOnly = true)
            let struct (train, test) = data.For LeNetArm.Chars
            let r = runner.TrainOrReuse(study, "chars1", 1, study.Net.Create 1, train, test)
            Expect.isTrue r.Reused "the script reads the worker's arm back"
            let struct (mtrain, mtest) = data.For LeNetArm.Mnist
            let e = Expect.throwsC (fun () -> runner.TrainOrReuse(study, "mnist1", 1, study.Net.Create 1, mtrain, mtest) |> ignore) id
            Expect.stringContains e.Message "mnist1" "reuse only: an arm never trained is refused by name, not trained"
            Expect.equal (runner.Store.GetRuns "lenet-init").Count 1 "and nothing was trained"
        }
        test "paper-003 seeds as sweep tasks: each trained once by two workers, a rerun trains nothing, the study reads every network back" {
            use dir = new TempDir()
            let store = dir.File "runs.db"
            let seeds = [ 1; 2 ]
            let hook () = SequenceSweep(dir.Path, store, StudySweepOptions(Workers = 2), tinySequence, true)
            let first = hook ()
            Expect.equal (SweepTaskKinds.Find(SequenceSeedTaskKind.KindName)).Name SequenceSeedTaskKind.KindName "the seed kind registers itself"
            Expect.isTrue (first.Ensure seeds) "the seeds ran on the pool"
            use s = SweepStores.Open store
            let tasks () = s.GetRuns SequenceSweep.Study
            let networks () = s.GetRuns SequenceSeed.Study
            // two workers finish in either order: the set of runs is what counts
            Expect.equal (List.sort [ for r in tasks () -> r.Name, r.Status ]) [ for seed in seeds -> $"seed{seed}/seed{seed}", RunStatus.Finished ] "one finished task run per seed"
            let names = [ for r in networks () -> r.Name ] |> List.sort
            let expected = [ for seed in seeds do for n in [ "model1-cnn1"; "model1-cnn2"; "model1-lstm"; "model2" ] -> $"{n}-seed{seed}" ] |> List.sort
            Expect.equal names expected "each seed's four networks, once each"
            Expect.isTrue (networks () |> Seq.forall (fun r -> r.Status = RunStatus.Finished)) "all finished"
            // a rerun (another process: a fresh hook) trains nothing
            Expect.isTrue ((hook ()).Ensure seeds) "a done sweep"
            let m = (hook ()).SweepOf(seeds).Plan(dir.File "again.json")
            let outcomes = Sweep.RunLocal(m, store, 2)
            Expect.isTrue (outcomes |> Seq.forall (fun o -> o.Kind = TaskOutcomeKind.Skipped)) "every seed skipped"
            Expect.equal (tasks ()).Count 2 "no task run added"
            Expect.equal (networks ()).Count 8 "no network run added"
            // the report side reads every network back from the store and scores what the task recorded
            let data = SequenceData.Load(tinySequence, null, true)
            use runs = new SequenceRuns(store, ReuseOnly = true)
            for seed in seeds do
                let r = SequenceSeed.Run(seed, data, tinySequence, runs)
                Expect.isTrue (r.Trained |> Seq.forall (fun a -> a.Reused)) $"seed {seed} read back, not trained"
                Expect.equal (r.Trained |> Seq.map (fun a -> a.Epochs.Count) |> List.ofSeq) [ 2; 2; 2; 2 ] "epochs read back"
                let task = tasks () |> Seq.find (fun t -> t.Name = $"seed{seed}/seed{seed}")
                Expect.equal (s.GetMetrics(task.Id, "seed/model2_accuracy")).[0].Value r.Model2Accuracy "the task's run holds the seed's model-2 accuracy"
            // report-only refuses a seed that never ran, and trains nothing for it
            let reportOnly = SequenceSweep(dir.Path, store, StudySweepOptions(ReportOnly = true), tinySequence, true)
            Expect.isTrue (reportOnly.Ensure seeds) "done seeds"
            let e = Expect.throwsC (fun () -> reportOnly.Ensure [ 3 ] |> ignore) id
            Expect.stringContains e.Message "not done" "a report cannot be built from seeds that never ran"
            let e = Expect.throwsC (fun () -> SequenceSeed.Run(3, data, tinySequence, runs) |> ignore) id
            Expect.stringContains e.Message "model1-cnn1-seed3" "reading back names the missing network"
            Expect.equal (networks ()).Count 8 "and nothing was trained for it"
        }
    ]
