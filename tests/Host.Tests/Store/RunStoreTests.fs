module InitLab.Host.Tests.Store.RunStoreTests

open System
open System.IO
open System.Security.Cryptography
open Expecto
open InitLab.Store
open InitLab.Host.Tests.Store.StoreTestSupport
open InitLab.Host.Tests.Store.StoreBackends

let info study name config seed = RunInfo(study, name, config, seed, "sha256:data", "abc123")

/// The behaviour every backend must show.
let common (b: Backend) = [
    storeTest b "a started run reads back with every field and status running" <| fun fx ->
        use store = RunStore.Open fx.Location
        let before = DateTimeOffset.UtcNow.AddSeconds -1.0
        let id = store.StartRun(info "lenet" "he-seed1" """{"lr": 0.1, "init": "he"}""" 42L)
        let r = store.GetRun id
        Expect.isNotNull (box r) "run exists"
        Expect.equal r.Id id "id"
        Expect.equal r.Study "lenet" "study"
        Expect.equal r.Name "he-seed1" "name"
        Expect.equal r.Seed 42L "seed"
        Expect.equal r.DataFingerprint "sha256:data" "fingerprint"
        Expect.equal r.CodeVersion "abc123" "code version"
        Expect.equal r.Status RunStatus.Running "status"
        Expect.isTrue (r.Started >= before && r.Started <= DateTimeOffset.UtcNow.AddSeconds 1.0) "started is now"
        Expect.isFalse r.Ended.HasValue "not ended"
        // Canonical form: keys sorted, no whitespace, number text kept.
        Expect.equal r.ConfigJson """{"init":"he","lr":0.1}""" "canonical config"
        Expect.isNull (box (store.GetRun(id + 100L))) "unknown id gives null"

    storeTest b "GetRuns filters by study and keeps start order" <| fun fx ->
        use store = RunStore.Open fx.Location
        let a = store.StartRun(info "A" "1" "{}" 1L)
        let b = store.StartRun(info "B" "1" "{}" 2L)
        let c = store.StartRun(info "A" "2" "{}" 3L)
        Expect.sequenceEqual (store.GetRuns() |> Seq.map _.Id) [ a; b; c ] "all runs"
        Expect.sequenceEqual (store.GetRuns "A" |> Seq.map _.Id) [ a; c ] "study A"
        Expect.isEmpty (store.GetRuns "none") "unknown study"

    storeTest b "metrics: single and batched, ordered, filtered, NaN and infinities kept, same step replaced" <| fun fx ->
        use store = RunStore.Open fx.Location
        let id = store.StartRun(info "s" "r" "{}" 1L)
        store.LogMetric(id, 2L, "loss", 0.5)
        store.LogMetric(id, 1L, "loss", 0.75)
        store.LogMetrics(id, [ MetricPoint(1L, "acc", 0.1); MetricPoint(2L, "acc", nan)
                               MetricPoint(3L, "acc", infinity); MetricPoint(4L, "acc", -infinity) ])
        store.LogMetric(id, 2L, "loss", 0.25) // a resumed run logs step 2 again
        let all = store.GetMetrics id
        Expect.sequenceEqual (all |> Seq.map (fun m -> m.Name, m.Step))
            [ "acc", 1L; "acc", 2L; "acc", 3L; "acc", 4L; "loss", 1L; "loss", 2L ] "ordered by name then step"
        let loss = store.GetMetrics(id, "loss")
        Expect.sequenceEqual (loss |> Seq.map _.Value) [ 0.75; 0.25 ] "loss values, step 2 replaced"
        let acc = store.GetMetrics(id, "acc") |> Seq.map _.Value |> Array.ofSeq
        Expect.equal acc[0] 0.1 "plain value"
        Expect.isTrue (Double.IsNaN acc[1]) "NaN kept"
        Expect.equal acc[2] infinity "+inf kept"
        Expect.equal acc[3] -infinity "-inf kept"

    storeTest b "metrics for an unknown run are refused naming the run; a bad batch writes nothing" <| fun fx ->
        use store = RunStore.Open fx.Location
        let id = store.StartRun(info "s" "r" "{}" 1L)
        let e = throwsOf<ArgumentException> (fun () -> store.LogMetric(id + 7L, 0L, "loss", 1.0))
        Expect.stringContains e.Message $"Run {id + 7L}" "names the run"
        Expect.throwsT<ArgumentException> (fun () ->
            store.LogMetrics(id, [ MetricPoint(0L, "loss", 1.0); MetricPoint(1L, "", 2.0) ])) |> ignore
        Expect.isEmpty (store.GetMetrics id) "nothing from the rejected batch"

    storeTest b "FinishRun sets status, end and message once; misuse is refused" <| fun fx ->
        use store = RunStore.Open fx.Location
        let id = store.StartRun(info "s" "r" "{}" 1L)
        store.FinishRun(id, RunStatus.Failed, "loss became NaN at step 12")
        let r = store.GetRun id
        Expect.equal r.Status RunStatus.Failed "status"
        Expect.equal r.Message "loss became NaN at step 12" "message"
        Expect.isTrue (r.Ended.HasValue && r.Ended.Value >= r.Started) "ended after start"
        let e = throwsOf<InvalidOperationException> (fun () -> store.FinishRun(id, RunStatus.Finished, null))
        Expect.stringContains e.Message "failed" "says how it ended"
        Expect.equal (store.GetRun id).Status RunStatus.Failed "status unchanged"
        Expect.throwsT<ArgumentException> (fun () -> store.FinishRun(id + 1L, RunStatus.Finished, null)) |> ignore
        let other = store.StartRun(info "s" "r2" "{}" 1L)
        Expect.throwsT<ArgumentException> (fun () -> store.FinishRun(other, RunStatus.Running, null)) |> ignore

    storeTest b "FindFinishedRun matches study, name and config (any layout), finished only, latest first" <| fun fx ->
        use store = RunStore.Open fx.Location
        let cfg = """{"lr": 0.1, "layers": [6, 16], "opt": {"m": 0.9, "name": "sgd"}}"""
        let same = """{ "opt": {"name":"sgd","m":0.9}, "layers":[6,16], "lr":0.1 }"""
        let running = store.StartRun(info "st" "r" cfg 1L)
        Expect.isNull (box (store.FindFinishedRun("st", "r", same))) "running runs are not reusable"
        store.FinishRun(running, RunStatus.Stopped, null)
        Expect.isNull (box (store.FindFinishedRun("st", "r", same))) "stopped runs are not reusable"
        let first = store.StartRun(info "st" "r" cfg 1L)
        store.FinishRun(first, RunStatus.Finished, null)
        let second = store.StartRun(info "st" "r" same 1L)
        store.FinishRun(second, RunStatus.Finished, null)
        Expect.equal (store.FindFinishedRun("st", "r", same)).Id second "latest finished run"
        Expect.isNull (box (store.FindFinishedRun("st", "r", """{"lr": 0.2, "layers": [6, 16], "opt": {"m": 0.9, "name": "sgd"}}"""))) "other config"
        Expect.isNull (box (store.FindFinishedRun("st", "other", cfg))) "other name"
        Expect.isNull (box (store.FindFinishedRun("other", "r", cfg))) "other study"

    storeTest b "invalid config JSON is refused naming the run" <| fun fx ->
        use store = RunStore.Open fx.Location
        let e = throwsOf<ArgumentException> (fun () -> store.StartRun(info "st" "bad" "{lr: 0.1" 1L) |> ignore)
        Expect.stringContains e.Message "st/bad" "names the run"
        Expect.isEmpty (store.GetRuns()) "nothing stored"

    storeTest b "artifacts are hashed when no SHA-256 is given; a given one is checked" <| fun fx ->
        use store = RunStore.Open fx.Location
        let id = store.StartRun(info "s" "r" "{}" 1L)
        let file = fx.Dir.File "report.html"
        File.WriteAllText(file, "<html>report</html>")
        let expected = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes file))
        let a = store.AddArtifact(id, "report", file)
        Expect.equal a.Sha256 expected "hash of the file"
        let b = store.AddArtifact(id, "checkpoint", "ckpt/last.safetensors", String('A', 64))
        Expect.equal b.Sha256 (String('a', 64)) "lower-cased"
        Expect.sequenceEqual (store.GetArtifacts id) [ a; b ] "both, in order"
        Expect.throwsT<ArgumentException> (fun () -> store.AddArtifact(id, "x", "p", "abc") |> ignore) |> ignore
        Expect.throwsT<FileNotFoundException> (fun () -> store.AddArtifact(id, "x", fx.Dir.File "missing") |> ignore) |> ignore
        Expect.throwsT<ArgumentException> (fun () -> store.AddArtifact(id + 1L, "x", "p", String('0', 64)) |> ignore) |> ignore
]

[<Tests>]
let tests = perBackend "Store.RunStore" common

[<Tests>]
let sqliteTests =
    testList "Store.RunStore.sqlite-file" [
        testCase "the file is WAL, versioned, and keeps everything across reopen" <| fun () ->
            use dir = new TempDir()
            let path = dir.File "sub/dir/s.db"
            let id =
                use store = RunStore.Open path
                let id = store.StartRun(info "s" "r" "{}" 7L)
                store.LogMetric(id, 0L, "loss", 1.5)
                store.FinishRun(id, RunStatus.Finished, "ok")
                id
            Expect.equal (string (sqliteScalar path "PRAGMA journal_mode;")) "wal" "WAL mode"
            Expect.equal (sqliteScalar path "PRAGMA user_version;" :?> int64) 2L "schema version 2"
            use again = RunStore.Open path
            Expect.equal again.SchemaVersion 2 "schema version"
            Expect.equal (again.GetRun id).Status RunStatus.Finished "run kept"
            Expect.equal (again.GetMetrics id |> Seq.exactlyOne).Value 1.5 "metric kept"

        testCase "a corrupt file, a foreign database and a newer schema are refused without change" <| fun () ->
            use dir = new TempDir()
            let garbage = dir.File "garbage.db"
            let bytes = Array.init 4096 (fun i -> byte (i * 37 + 11))
            File.WriteAllBytes(garbage, bytes)
            let e = throwsOf<InvalidDataException> (fun () -> RunStore.Open garbage |> ignore)
            Expect.stringContains e.Message garbage "names the file"
            Expect.sequenceEqual (File.ReadAllBytes garbage) bytes "file untouched"

            let foreign = dir.File "foreign.db"
            sqliteScalar foreign "CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (5);" |> ignore
            let e = throwsOf<InvalidDataException> (fun () -> RunStore.Open foreign |> ignore)
            Expect.stringContains e.Message "not an InitLab run store" "says why"
            Expect.equal (sqliteScalar foreign "SELECT x FROM t;" :?> int64) 5L "foreign data kept"

            let newer = dir.File "newer.db"
            (RunStore.Open newer).Dispose()
            sqliteScalar newer "PRAGMA user_version = 99;" |> ignore
            let e = throwsOf<InvalidDataException> (fun () -> RunStore.Open newer |> ignore)
            Expect.stringContains e.Message "99" "names the version"

        testCase "a schema-1 file migrates to schema 2 keeping runs and metrics, and gains config hashes" <| fun () ->
            use dir = new TempDir()
            let path = dir.File "v1.db"
            // a hand-made store as schema 1 wrote it
            sqliteScalar path """
                CREATE TABLE runs (id INTEGER PRIMARY KEY AUTOINCREMENT, study TEXT NOT NULL, name TEXT NOT NULL,
                    config TEXT NOT NULL CHECK (json_valid(config)), seed INTEGER NOT NULL, data_fingerprint TEXT, code_version TEXT,
                    status TEXT NOT NULL CHECK (status IN ('running', 'finished', 'failed', 'stopped')), started TEXT NOT NULL, ended TEXT, message TEXT);
                CREATE TABLE metrics (run INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE, step INTEGER NOT NULL, name TEXT NOT NULL,
                    value REAL, PRIMARY KEY (run, name, step)) WITHOUT ROWID;
                CREATE TABLE artifacts (id INTEGER PRIMARY KEY AUTOINCREMENT, run INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
                    kind TEXT NOT NULL, path TEXT NOT NULL, sha256 TEXT NOT NULL);
                INSERT INTO runs (study, name, config, seed, status, started, ended)
                    VALUES ('old', 'r', '{"lr":0.1}', 3, 'finished', '2026-01-01T00:00:00.0000000+00:00', '2026-01-01T00:01:00.0000000+00:00');
                INSERT INTO metrics VALUES (1, 5, 'loss', 0.5);
                PRAGMA user_version = 1;
                """ |> ignore
            use store = RunStore.Open path
            Expect.equal store.SchemaVersion 2 "migrated"
            let r = store.GetRun 1L
            Expect.equal r.Status RunStatus.Finished "status kept"
            Expect.equal r.ConfigHash (RunStore.ConfigHash """{"lr": 0.1}""") "config hash filled in"
            Expect.equal (store.GetMetrics 1L |> Seq.exactlyOne).Value 0.5 "metric kept (rebuilding runs did not cascade)"
            Expect.equal (store.FindFinishedRunByConfigHash(RunStore.ConfigHash """{"lr":0.1}""")).Id 1L "found by hash"
            let id = store.StartRun(info "new" "r" "{}" 1L)
            store.FinishRun(id, RunStatus.Interrupted, "signal")
            Expect.equal (store.GetRun id).Status RunStatus.Interrupted "the new status fits the rebuilt CHECK"

        testCase "a directory and a text file as store are refused naming them; the text is kept" <| fun () ->
            use dir = new TempDir()
            let folder = dir.File "folder.db"
            Directory.CreateDirectory folder |> ignore
            let e = throwsOf<RunStoreUnavailableException> (fun () -> RunStore.Open folder |> ignore)
            Expect.stringContains e.Message folder "names the directory"
            Expect.stringContains e.Message "directory" "says what is wrong"
            let text = dir.File "notes.txt"
            let content = String.replicate 200 "these are my notes, not a database\n"
            File.WriteAllText(text, content)
            let e = throwsOf<InvalidDataException> (fun () -> RunStore.Open text |> ignore)
            Expect.stringContains e.Message text "names the file"
            Expect.equal (File.ReadAllText text) content "text untouched"
    ]
