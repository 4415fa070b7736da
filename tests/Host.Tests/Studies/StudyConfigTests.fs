module InitLab.Host.Tests.Studies.StudyConfigTests

open System
open Expecto
open InitLab.Data
open InitLab.Kernel
open InitLab.Kernel.Init
open InitLab.Kernel.Nn
open InitLab.Kernel.Optim
open InitLab.Store
open InitLab.Studies
open InitLab.Training
open InitLab.Host.Tests.Store.StoreTestSupport

/// Paper 000's Table 1, as scripts/exp_lenet.fsx states it.
let paper000Solver iterations =
    SolverConfig(Type = "sgd", BaseLr = 0.001, Momentum = 0.9, WeightDecay = 0.0005, LrPolicy = "inv", Gamma = 0.0001, Power = 0.75,
                 MaxIter = iterations, Batch = 64)

/// Caffe's lenet_solver.prototxt, as scripts/exp_caffe_lenet.fsx states it.
let caffeSolver =
    SolverConfig(Type = "SGD", BaseLr = 0.01, Momentum = 0.9, WeightDecay = 0.0005, LrPolicy = "inv", Gamma = 0.0001, Power = 0.75,
                 BiasLrMult = 2.0, MaxIter = 10000, Batch = 64, TestInterval = 500, TestBatch = 100)

let lenetNet = NetConfig(Name = "lenet5", WeightInit = "xavier-normal")
let lenetData =
    DataConfig(Sets = [ "mnist"; "chars74k-hnd" ], Invert = true, Scale = PixelScale.Caffe256, ShuffleSeed = 7,
               Split = SplitConfig(TrainPercent = 80.0, Seed = 42))
let studyOf (net: NetConfig) (data: DataConfig) (seeds: int list) (threads: int) (solver: SolverConfig) =
    StudyConfig(Name = "lenet-init", Net = net, Solver = solver, Data = data, Seeds = seeds, Threads = threads)
let lenetStudy (seeds: int list) (solver: SolverConfig) = studyOf lenetNet lenetData seeds 2 solver

let refuses (what: string) (mention: string) (f: unit -> unit) =
    let e = Expect.throwsC f id
    Expect.isTrue (e :? ArgumentException) $"{what}: ArgumentException, got {e.GetType().Name}: {e.Message}"
    Expect.stringContains e.Message mention $"{what}: the message names it"

let private data = lazy (SyntheticDigits.Generate(128, 31), SyntheticDigits.Generate(40, 32))

[<Tests>]
let tests =
    testList "studies.config" [
        test "paper 000's Table 1 as numbers is the optimiser its solver string was" {
            Expect.equal ((paper000Solver 1000).ToOptimizerSpec()) (OptimizerSpec.Parse "sgd:0.9 lr=0.001 wd=0.0005 policy=inv:0.0001:0.75") "same spec"
        }
        test "Caffe's lenet_solver numbers are the caffe-lenet preset" {
            Expect.equal (caffeSolver.ToOptimizerSpec()) OptimizerSpec.CaffeLeNet "same spec"
        }
        test "every rule and policy maps onto the Kernel's spec, unset numbers taking the Kernel's defaults" {
            let cases =
                [ SolverConfig(Type = "adam", Momentum = 0.8, Momentum2 = 0.99, Delta = 1e-7, BaseLr = 0.1, MaxIter = 100, Batch = 8), "adam:0.8:0.99:1e-7 lr=0.1"
                  SolverConfig(Type = "AdamW", WeightDecay = 0.01, BaseLr = 0.1, MaxIter = 100, Batch = 8), "adamw lr=0.1 wd=0.01"
                  SolverConfig(Type = "rmsprop", RmsDecay = 0.9, BaseLr = 0.1, MaxIter = 100, Batch = 8), "rmsprop:0.9 lr=0.1"
                  SolverConfig(Type = "adagrad", Delta = 1e-6, LrPolicy = "step", Gamma = 0.5, StepSize = 10, BaseLr = 0.1, MaxIter = 100, Batch = 8),
                  "adagrad:1e-6 lr=0.1 policy=step:0.5:10"
                  SolverConfig(Type = "sgd-torch", Momentum = 0.9, Dampening = 0.1, LrPolicy = "multistep", Gamma = 0.1, StepValue = [| 20; 50 |],
                               BaseLr = 0.1, MaxIter = 100, Batch = 8), "sgd-torch:0.9:0.1 lr=0.1 policy=multistep:0.1:20,50"
                  SolverConfig(Type = "nesterov", Momentum = 0.9, LrPolicy = "poly", Power = 2.0, BaseLr = 0.1, MaxIter = 100, Batch = 8),
                  "nesterov:0.9 lr=0.1 policy=poly:2:100"
                  SolverConfig(LrPolicy = "exp", Gamma = 0.99, BaseLr = 0.1, MaxIter = 100, Batch = 8), "sgd lr=0.1 policy=exp:0.99"
                  SolverConfig(LrPolicy = "sigmoid", Gamma = -0.1, StepSize = 30, BiasDecayMult = 0.0, BaseLr = 0.1, MaxIter = 100, Batch = 8),
                  "sgd lr=0.1 policy=sigmoid:-0.1:30 bias_decay=0" ]
            for config, text in cases do
                Expect.equal (config.ToOptimizerSpec()) (OptimizerSpec.Parse text) $"{config.ToSpecText()} is {text}"
        }
        test "an unused, missing, unwritable or impossible number is refused by name" {
            refuses "unused power" "power 0.75 is not used by lr_policy step"
                (fun () -> SolverConfig(BaseLr = 0.001, LrPolicy = "step", Gamma = 0.1, StepSize = 10, Power = 0.75, MaxIter = 100, Batch = 64).ToSpecText() |> ignore)
            refuses "unused momentum2" "momentum2 0.99 is not used by type sgd"
                (fun () -> SolverConfig(BaseLr = 0.001, Momentum = 0.9, Momentum2 = 0.99, MaxIter = 100, Batch = 64).ToSpecText() |> ignore)
            refuses "missing gamma" "needs gamma" (fun () -> SolverConfig(BaseLr = 0.001, LrPolicy = "inv", Power = 0.75, MaxIter = 100, Batch = 64).ToSpecText() |> ignore)
            refuses "gap" "delta is given, so rms_decay must be too"
                (fun () -> SolverConfig(Type = "rmsprop", BaseLr = 0.001, Delta = 1e-8, MaxIter = 100, Batch = 64).ToSpecText() |> ignore)
            refuses "unknown type" "'lbfgs'" (fun () -> SolverConfig(Type = "lbfgs", BaseLr = 0.001, MaxIter = 100, Batch = 64).ToSpecText() |> ignore)
            refuses "unknown policy" "'cosine'" (fun () -> SolverConfig(LrPolicy = "cosine", BaseLr = 0.001, MaxIter = 100, Batch = 64).ToSpecText() |> ignore)
            refuses "NaN rate" "NaN" (fun () -> SolverConfig(BaseLr = nan, MaxIter = 100, Batch = 64).Validate())
            refuses "momentum 1" "momentum 1" (fun () -> SolverConfig(BaseLr = 0.001, Momentum = 1.0, MaxIter = 100, Batch = 64).Validate())
            refuses "no iterations" "max_iter must be ≥ 1, got 0" (fun () -> SolverConfig(BaseLr = 0.001, MaxIter = 0, Batch = 64).Validate())
            let solver = paper000Solver 100
            refuses "repeated seed" "seeds repeat" (fun () -> (lenetStudy [ 1; 1 ] solver).Validate())
            refuses "unknown net" "net 'lenet7' is unknown" (fun () -> (studyOf (NetConfig(Name = "lenet7")) lenetData [ 1 ] 2 solver).Validate())
            refuses "unknown init" "xavir" (fun () -> (studyOf (NetConfig(Name = "lenet5", WeightInit = "xavir")) lenetData [ 1 ] 2 solver).ToJson() |> ignore)
            refuses "unknown data set" "data set 'emnist' is unknown" (fun () -> (studyOf lenetNet (DataConfig(Sets = [ "emnist" ])) [ 1 ] 2 solver).Validate())
            refuses "impossible split" "train_percent"
                (fun () -> (studyOf lenetNet (DataConfig(Sets = [ "mnist" ], Split = SplitConfig(TrainPercent = 100.0, Seed = 1))) [ 1 ] 2 solver).Validate())
            refuses "threads" "threads must be in 1..256, got 0" (fun () -> (studyOf lenetNet lenetData [ 1 ] 0 solver).Validate())
        }
        test "the trainer's options are the ones the LeNet and Caffe scripts wrote by hand" {
            let lenet = (lenetStudy [ 1; 2; 3 ] (paper000Solver 60)).ToTrainingOptions()
            Expect.equal lenet (TrainingOptions(Iterations = 60, BatchSize = 64, DataSeed = 7, Threads = 2, Scale = PixelScale.Caffe256,
                                                TestInterval = 0, Progress = ProgressMode.Auto)) "LeNet study"
            let caffe =
                StudyConfig(Name = "caffe-lenet", Net = NetConfig(Name = "lenet5", WeightInit = "caffe-xavier"), Solver = caffeSolver,
                            Data = DataConfig(Sets = [ "mnist" ], Scale = PixelScale.Caffe256, Shuffle = false), Seeds = [ 1 ], Threads = 2)
            Expect.equal (caffe.ToTrainingOptions()) (TrainingOptions(Iterations = 10000, BatchSize = 64, Shuffle = false, Scale = PixelScale.Caffe256,
                                                                       TestInterval = 500, TestBatchSize = 100, Threads = 2)) "Caffe recipe"
        }
        test "the net record draws the weights the script drew by hand, bit for bit" {
            let fromRecord = NetConfig(Name = "lenet5", WeightInit = "xavier-normal").Create(3).SaveParameters()
            let byHand = Models.LeNet5(weightInit = XavierNormal, gen = Generator(3)).SaveParameters()
            Expect.sequenceEqual fromRecord byHand "paper 000's Xavier"
            let caffe = NetConfig(Name = "lenet5", WeightInit = "caffe-xavier").Create(1).SaveParameters()
            Expect.sequenceEqual caffe (Models.Create("lenet5", Generator(1)).SaveParameters()) "Caffe's xavier is LeNet-5's default"
        }
        test "an arm's stored config is generated from the record: stable, without the seed list, naming what it trains on" {
            let train, test = data.Force()
            let study = lenetStudy [ 1; 2; 3 ] (paper000Solver 60)
            let json = study.ArmConfigJson("chars1", 1, train, test)
            Expect.equal ((lenetStudy [ 1; 2; 3 ] (paper000Solver 60)).ArmConfigJson("chars1", 1, train, test)) json "equal records, equal text"
            Expect.equal ((lenetStudy [ 1; 2; 3; 4 ] (paper000Solver 60)).ArmConfigJson("chars1", 1, train, test)) json "another seed leaves the arm's config alone"
            Expect.notEqual ((lenetStudy [ 1; 2; 3 ] (paper000Solver 61)).ArmConfigJson("chars1", 1, train, test)) json "a solver number changes it"
            Expect.notEqual (study.ArmConfigJson("chars1", 2, train, test)) json "the arm's seed changes it"
            Expect.notEqual (study.ArmConfigJson("chars1", 1, test, train)) json "the data change it"
            use doc = Text.Json.JsonDocument.Parse json
            let root = doc.RootElement
            Expect.equal (root.GetProperty("solver").GetProperty("base_lr").GetDouble()) 0.001 "base_lr"
            Expect.equal (root.GetProperty("solver").GetProperty("lr_policy").GetString()) "inv" "lr_policy"
            Expect.equal (root.GetProperty("seed").GetInt32()) 1 "seed"
            Expect.equal (root.GetProperty("train").GetProperty("fingerprint").GetString()) train.Fingerprint "train fingerprint"
            Expect.equal (root.GetProperty("test").GetProperty("count").GetInt32()) test.Count "test count"
            Expect.isFalse (root.TryGetProperty("seeds") |> fst) "no seed list"
            Expect.isFalse (root.GetProperty("solver").TryGetProperty("momentum2") |> fst) "unset numbers left out"
            let arm = study.Arm("chars1", 1, train, test)
            Expect.equal arm.ConfigJson json "the arm carries it"
            Expect.equal (OptimizerSpec.Parse arm.OptimizerSpec) (study.Solver.ToOptimizerSpec()) "and the solver's spec"
        }
        test "the configuration table is every field of the record's JSON, and the spec the Kernel reads" {
            let study = lenetStudy [ 1; 2; 3 ] (paper000Solver 60)
            let rows = study.ConfigurationRows() |> Seq.map (fun struct (k, v) -> k, v) |> Map.ofSeq
            Expect.equal rows["solver.base_lr"] "0.001" "base_lr"
            Expect.equal rows["solver.momentum"] "0.9" "momentum"
            Expect.equal rows["solver.max_iter"] "60" "max_iter"
            Expect.equal rows["net.weight_init"] "xavier-normal" "init"
            Expect.equal rows["data.sets"] "mnist, chars74k-hnd" "sets"
            Expect.equal rows["data.scale"] "caffe256" "scale"
            Expect.equal rows["data.split.train_percent"] "80" "split"
            Expect.equal rows["seeds"] "1, 2, 3" "seeds"
            Expect.equal (OptimizerSpec.Parse rows["solver as the Kernel reads it"]) (study.Solver.ToOptimizerSpec()) "spec row"
            use doc = Text.Json.JsonDocument.Parse(study.ToJson())
            let rec leaves (e: Text.Json.JsonElement) =
                match e.ValueKind with
                | Text.Json.JsonValueKind.Object -> e.EnumerateObject() |> Seq.sumBy (fun p -> leaves p.Value)
                | _ -> 1
            Expect.equal rows.Count (leaves doc.RootElement + 1) "one row per JSON field, plus the spec"
        }
        test "a study record trains through the runner, and a rerun of the same record reuses the run" {
            use dir = new TempDir()
            let train, test = data.Force()
            let tiny (lr: float) =
                StudyConfig(Name = "tiny", Net = NetConfig(Name = "lenet5"), Solver = SolverConfig(BaseLr = lr, Momentum = 0.9, MaxIter = 3, Batch = 16),
                            Data = DataConfig(Sets = [ "mnist" ], ShuffleSeed = 3), Seeds = [ 5 ], Threads = 1)
            let study = tiny 0.01
            use runner = new StudyRunner(dir.File "runs.db")
            let first = runner.TrainOrReuse(study, "a", 5, study.Net.Create 5, train, test)
            let again = runner.TrainOrReuse(study, "a", 5, study.Net.Create 5, train, test)
            Expect.isFalse first.Reused "trained"
            Expect.isTrue again.Reused "reused"
            Expect.sequenceEqual again.FinalParameters first.FinalParameters "same weights"
            let changed = tiny 0.02
            Expect.isFalse (runner.TrainOrReuse(changed, "a", 5, changed.Net.Create 5, train, test)).Reused "a changed number trains anew"
            Expect.equal (runner.Store.GetRuns "tiny").Count 2 "two runs"
        }
    ]
