module InitLab.Host.Tests.Sweeps.SweepManifestTests

open System
open System.IO
open Expecto
open InitLab.Sweeps
open InitLab.Statistics
open InitLab.Host.Tests.Store.StoreTestSupport
open InitLab.Host.Tests.Sweeps.SweepTestSupport

[<Tests>]
let tests =
    testList "sweeps.manifest" [
        test "arms × seeds expand in order with stable indices, each with its config hash" {
            let m = SweepManifest.Plan("s", (tinySweep "s" 2 [ 3; 1; 2 ]).Arms)
            Expect.equal m.Tasks.Count 6 "2 arms × 3 seeds"
            Expect.equal [ for t in m.Tasks -> t.Index ] [ 0 .. 5 ] "indices 0..n−1"
            Expect.equal [ for t in m.Tasks -> t.Arm, t.Config.Seed ]
                [ "lr1", 3; "lr1", 1; "lr1", 2; "lr2", 3; "lr2", 1; "lr2", 2 ] "arm by arm, seeds as given"
            for t in m.Tasks do
                Expect.equal t.ConfigHash (ConfigHash.Of t.Config) "hash of the task's config"
            Expect.equal (m.Tasks |> Seq.map (fun t -> t.ConfigHash) |> Seq.distinct |> Seq.length) 6 "every task its own config"
            let again = SweepManifest.Plan("s", (tinySweep "s" 2 [ 3; 1; 2 ]).Arms)
            Expect.equal again.Hash m.Hash "planning the same arms gives the same manifest"
        }
        test "save and load round-trip; the loaded manifest has the same tasks and hash" {
            use dir = new TempDir()
            let m = (tinySweep "s" 2 [ 1; 2 ]).Plan(dir.File "sweep.json")
            let back = SweepManifest.Load(dir.File "sweep.json")
            Expect.equal back.Hash m.Hash "hash"
            Expect.equal [ for t in back.Tasks -> t.ConfigHash ] [ for t in m.Tasks -> t.ConfigHash ] "config hashes"
            Expect.equal back.Tasks[3].Config m.Tasks[3].Config "configs"
        }
        test "an edited or corrupt manifest is refused, naming the file and the mismatch" {
            use dir = new TempDir()
            let path = dir.File "sweep.json"
            let m = (tinySweep "s" 2 [ 1; 2 ]).Plan(path)
            let original = File.ReadAllText path
            let refused (text: string) =
                File.WriteAllText(path, text)
                let e = throwsOf<SweepManifestException> (fun () -> SweepManifest.Load path |> ignore)
                Expect.stringContains e.Message path "names the file"
                e.Message
            // a config edited in place: its stored config hash no longer matches
            Expect.stringContains (refused (original.Replace("\"iterations\": 20", "\"iterations\": 21"))) "config hash mismatch" "edited config"
            // a task's config and config hash both edited consistently: the manifest hash catches it
            let doc = System.Text.Json.Nodes.JsonNode.Parse(original)
            let task0 = doc["tasks"].[0]
            task0["config"].["solver"] <- System.Text.Json.Nodes.JsonValue.Create "sgd:0.9 lr=0.05"
            task0["configHash"] <- System.Text.Json.Nodes.JsonValue.Create(ConfigHash.OfJson(task0["config"].ToJsonString()))
            let text = doc.ToJsonString()
            Expect.notEqual text original "the edit applied"
            Expect.stringContains (refused text) "manifest hash mismatch" "consistent edit of one task"
            Expect.stringContains (refused (original.Substring(0, original.Length / 2))) "not valid JSON" "truncated"
            Expect.stringContains (refused "{}") "not a sweep manifest" "foreign JSON"
            File.Delete path
            Expect.stringContains (throwsOf<SweepManifestException> (fun () -> SweepManifest.Load path |> ignore)).Message "no such file" "missing"
        }
        test "impossible arms are refused at plan time, naming the arm" {
            let bad = Sweep("s").Arm("x", tinyConfigWith "sgd:0.9" 0, [| 1 |])
            Expect.stringContains (throwsOf<ArgumentException> (fun () -> SweepManifest.Plan("s", bad.Arms) |> ignore)).Message "arm 'x' seed 1" "names the arm"
            let twice = Sweep("s").Arm("x", tinyConfig, [| 1 |]).Arm("y", tinyConfig, [| 1 |])
            Expect.stringContains (throwsOf<ArgumentException> (fun () -> SweepManifest.Plan("s", twice.Arms) |> ignore)).Message "same config" "duplicate config"
        }
        test "config minus seed is what repeats of one arm share" {
            let a = ConfigHash.CanonicalJsonOf(tinyConfig.WithSeed 1)
            let b = ConfigHash.CanonicalJsonOf(tinyConfig.WithSeed 2)
            Expect.notEqual a b "seeds differ"
            Expect.equal (ConfigHash.WithoutSeed a) (ConfigHash.WithoutSeed b) "same without seed"
            Expect.isFalse ((ConfigHash.WithoutSeed a).Contains "\"seed\"") "seed removed"
            Expect.stringContains (ConfigHash.WithoutSeed a) "dataSeed" "only the top-level seed goes"
        }
        test "SampleSummary: mean, sample SD and a t interval symmetric about the mean" {
            let xs = [ 0.91; 0.93; 0.92; 0.95; 0.90 ]
            let s = SampleSummary.Of xs
            let mean = List.average xs
            let sd = sqrt ((xs |> List.sumBy (fun x -> (x - mean) ** 2.0)) / 4.0)
            Expect.equal s.N 5 "n"
            Expect.floatClose Accuracy.veryHigh s.Mean mean "mean"
            Expect.floatClose Accuracy.veryHigh s.StdDev sd "sd"
            Expect.floatClose Accuracy.veryHigh (s.Mean - s.Low95) (s.High95 - s.Mean) "symmetric"
            // the t quantile lies above the normal's 1.96 and tends to it as n grows
            let t = (s.High95 - s.Mean) / (sd / sqrt 5.0)
            Expect.isGreaterThan t 1.96 "wider than normal for n = 5"
            let big = SampleSummary.Of [ for i in 1 .. 100000 -> float (i % 7) ]
            Expect.floatClose { absolute = 1e-3; relative = 1e-3 } ((big.High95 - big.Mean) / (big.StdDev / sqrt 100000.0)) 1.959964 "large n"
            let one = SampleSummary.Of [ 3.0 ]
            Expect.isTrue (one.N = 1 && one.Mean = 3.0 && Double.IsNaN one.Low95) "one value: no interval"
            Expect.throwsT<ArgumentException> (fun () -> SampleSummary.Of [ 1.0; nan; 3.0 ] |> ignore) "NaN refused, not left out silently"
        }
    ]
