/// Sweep-task lookups, honest run status and comparisons, on both backends; PostgreSQL's bad input.
module InitLab.Host.Tests.Store.RunStoreTaskTests

open System
open System.IO
open System.Threading.Tasks
open Expecto
open InitLab.Store
open InitLab.Statistics
open InitLab.Tests.StoreWriter
open InitLab.Host.Tests.Store.StoreTestSupport
open InitLab.Host.Tests.Store.StoreBackends

let info name config seed = RunInfo("sweep", name, config, seed)

/// Starts StoreWriter holding the task `config` in `location`; returns the process and its run id.
let holdTask (location: string) (config: string) =
    let p = startWriter [ "hold"; location; config ]
    let line = p.StandardOutput.ReadLine()
    if isNull line || not (line.StartsWith "started ") then
        p.Kill true
        failwithf "holder did not start: %s / %s" line (p.StandardError.ReadToEnd())
    p, int64 (line.Substring 8)

let taskTests (b: Backend) = [
    storeTest b "ConfigHash ignores layout; rows carry it; finished runs are found by it" <| fun fx ->
        use store = RunStore.Open fx.Location
        let h = RunStore.ConfigHash """{"lr": 0.1, "opt": {"m": 0.9}}"""
        Expect.equal (RunStore.ConfigHash """{ "opt":{"m":0.9},"lr":0.1 }""") h "same config, other layout"
        Expect.notEqual (RunStore.ConfigHash """{"lr": 0.2, "opt": {"m": 0.9}}""") h "other config"
        let id = store.StartRun(info "a" """{"opt":{"m":0.9},"lr":0.1}""" 1L)
        Expect.equal (store.GetRun id).ConfigHash h "stored hash"
        Expect.isNull (box (store.FindFinishedRunByConfigHash h)) "running is not finished"
        Expect.equal (store.FindResumableRunByConfigHash h).Id id "running is resumable"
        store.FinishRun(id, RunStatus.Finished)
        Expect.equal (store.FindFinishedRunByConfigHash h).Id id "finished, found by hash"
        Expect.isNull (box (store.FindResumableRunByConfigHash h)) "a finished task has nothing to resume"
        Expect.throwsT<ArgumentException> (fun () -> store.FindFinishedRunByConfigHash "abc" |> ignore) |> ignore

    storeTest b "BeginTask: started, busy while alive, finished once, then skipped" <| fun fx ->
        use store = RunStore.Open fx.Location
        use other = RunStore.Open fx.Location
        let cfg = """{"task": 1}"""
        let first = store.BeginTask(info "t1" cfg 1L)
        Expect.equal first.Outcome TaskStartOutcome.Started "started"
        Expect.isTrue first.MustRun "must run"
        let busy = other.BeginTask(info "t1" cfg 1L)
        Expect.equal busy.Outcome TaskStartOutcome.Busy "a live run is busy"
        Expect.equal busy.Run.Id first.Run.Id "the same run"
        let e = throwsOf<InvalidOperationException> (fun () -> other.FinishRun(first.Run.Id, RunStatus.Finished))
        Expect.stringContains e.Message "no longer owns" "only the owner finishes it"
        store.FinishRun(first.Run.Id, RunStatus.Finished)
        let again = other.BeginTask(info "t1" cfg 1L)
        Expect.equal again.Outcome TaskStartOutcome.AlreadyFinished "skipped"
        Expect.isFalse again.MustRun "nothing to run"
        Expect.equal again.Run.Id first.Run.Id "the finished run"
        Expect.equal (store.GetRuns().Count) 1 "one row"

    storeTest b "a run left running by a killed process reads interrupted and is resumed in its own row" <| fun fx ->
        let cfg = """{"task": "killed"}"""
        let p, id = holdTask fx.Location cfg
        let pid = p.Id
        use store = RunStore.Open fx.Location
        Expect.equal (store.GetRun id).Status RunStatus.Running "alive: running"
        Expect.equal (store.GetRun id).Owner.Pid pid "owner pid recorded"
        Expect.equal (store.GetRun id).Owner.Host Environment.MachineName "owner host recorded"
        p.Kill() // SIGKILL: nothing in the child runs any more
        p.WaitForExit()
        let r = store.GetRun id
        Expect.equal r.Status RunStatus.Interrupted "dead: interrupted"
        Expect.stringContains r.Message (string pid) "names the dead process"
        Expect.equal (store.FindResumableRunByConfigHash(RunStore.ConfigHash cfg)).Id id "resumable"
        let start = store.BeginTask(RunInfo("hold", "held", cfg, 1L))
        Expect.equal start.Outcome TaskStartOutcome.Resumed "resumed"
        Expect.equal start.PreviousStatus (Nullable RunStatus.Interrupted) "was interrupted"
        Expect.equal start.Run.Id id "same row"
        Expect.equal start.Run.Attempts 2 "second attempt"
        Expect.equal start.Run.Status RunStatus.Running "running again"
        Expect.equal start.Run.Owner.Pid Environment.ProcessId "now ours"
        Expect.equal (store.GetMetrics(id, "loss") |> Seq.exactlyOne).Value 1.0 "the first attempt's metrics kept"
        store.FinishRun(id, RunStatus.Finished)
        Expect.equal (store.GetRuns().Count) 1 "no new row"

    storeTest b "MarkAbandonedRuns writes interrupted; ReopenRun refuses finished and live runs" <| fun fx ->
        let p, id = holdTask fx.Location """{"task": "abandoned"}"""
        p.Kill()
        p.WaitForExit()
        use store = RunStore.Open fx.Location
        let live = store.StartRun(info "live" "{}" 1L)
        Expect.equal (store.MarkAbandonedRuns()) 1 "one abandoned row"
        Expect.equal (store.MarkAbandonedRuns()) 0 "written once"
        use fresh = RunStore.Open fx.Location
        let r = fresh.GetRun id
        Expect.equal r.Status RunStatus.Interrupted "stored as interrupted"
        Expect.isTrue r.Ended.HasValue "with an end"
        Expect.equal (fresh.GetRun live).Status RunStatus.Running "a live run is untouched"
        let e = throwsOf<InvalidOperationException> (fun () -> fresh.ReopenRun live |> ignore)
        Expect.stringContains e.Message (string Environment.ProcessId) "names the live process"
        let reopened = fresh.ReopenRun id
        Expect.equal reopened.Status RunStatus.Running "reopened"
        fresh.FinishRun(id, RunStatus.Finished)
        Expect.stringContains (throwsOf<InvalidOperationException> (fun () -> fresh.ReopenRun id |> ignore)).Message "finished" "finished stays finished"
        Expect.throwsT<ArgumentException> (fun () -> fresh.ReopenRun 999L |> ignore) |> ignore

    storeTest b "a run of another host without heartbeat is interrupted; its old owner can no longer finish it" <| fun fx ->
        use store = RunStore.Open(fx.Location, RunStoreOptions(StaleAfter = TimeSpan.FromMinutes 5.0))
        let cfg = """{"task": "remote"}"""
        let first = store.BeginTask(info "remote" cfg 1L)
        store.Heartbeat first.Run.Id
        Expect.equal (store.GetRun first.Run.Id).Status RunStatus.Running "fresh heartbeat"
        // pretend the run belongs to a node that went silent ten minutes ago
        let old = DateTimeOffset.UtcNow.AddMinutes(-10.0).ToString("O")
        fx.Exec $"UPDATE runs SET host = 'node-that-died', heartbeat = '{old}' WHERE id = {first.Run.Id};"
        let r = store.GetRun first.Run.Id
        Expect.equal r.Status RunStatus.Interrupted "stale: interrupted"
        Expect.stringContains r.Message "node-that-died" "names the host"
        use taker = RunStore.Open fx.Location
        let resumed = taker.BeginTask(info "remote" cfg 1L)
        Expect.equal resumed.Outcome TaskStartOutcome.Resumed "taken over"
        let e = throwsOf<InvalidOperationException> (fun () -> store.FinishRun(first.Run.Id, RunStatus.Finished))
        Expect.stringContains e.Message "taken over" "the old owner is refused"
        taker.FinishRun(resumed.Run.Id, RunStatus.Finished)
        Expect.equal (taker.GetRun first.Run.Id).Status RunStatus.Finished "finished once, by the new owner"

    storeTest b "KeepAlive keeps sending heartbeats until disposed" <| fun fx ->
        use store = RunStore.Open fx.Location
        let id = store.StartRun(info "alive" "{}" 1L)
        let first = (store.GetRun id).Heartbeat.Value
        let advanced () = (store.GetRun id).Heartbeat.Value > first
        do
            use _beat = store.KeepAlive(id, TimeSpan.FromMilliseconds 20.0)
            let deadline = DateTime.UtcNow.AddSeconds 30.0
            while not (advanced ()) && DateTime.UtcNow < deadline do Threading.Thread.Sleep 10
        Expect.isTrue (advanced ()) "the heartbeat moved on"
        let after = (store.GetRun id).Heartbeat.Value
        Threading.Thread.Sleep 200
        Expect.equal (store.GetRun id).Heartbeat.Value after "no heartbeat after Dispose"
        Expect.throwsT<ArgumentOutOfRangeException> (fun () -> store.KeepAlive(id, TimeSpan.Zero) |> ignore) |> ignore

    storeTest b "eight store instances racing for one task: exactly one starts it" <| fun fx ->
        (RunStore.Open fx.Location).Dispose() // schema in place
        let outcomes =
            [| for _ in 1..8 -> Task.Run(fun () ->
                   use s = RunStore.Open fx.Location
                   s.BeginTask(info "race" """{"task": "race"}""" 1L).Outcome) |]
            |> Array.map _.Result
        Expect.equal (outcomes |> Array.filter ((=) TaskStartOutcome.Started) |> Array.length) 1 "one start"
        Expect.equal (outcomes |> Array.filter ((=) TaskStartOutcome.Busy) |> Array.length) 7 "seven busy"
        use s = RunStore.Open fx.Location
        Expect.equal (s.GetRuns().Count) 1 "one row"

    storeTest b "two processes claiming the same eight tasks: each finished exactly once, nothing lost" <| fun fx ->
        let tasks, steps = 8, 40
        let children = [ for w in 1..2 -> startWriter [ "tasks"; fx.Location; string w; string tasks; string steps ] ]
        let ran =
            [ for p in children ->
                  let code, out, err = finish 120_000 p
                  Expect.equal code 0 $"writer exit code (stderr: {err})"
                  int (out.Trim().Split(' ')[1]) ]
        Expect.equal (List.sum ran) tasks "every task trained by exactly one writer"
        use store = RunStore.Open fx.Location
        let runs = store.GetRuns "tasks"
        Expect.equal runs.Count tasks "one row per task"
        let states = store.GetTaskRuns [ for t in 0 .. tasks - 1 -> RunStore.ConfigHash(Program.TaskConfig t) ]
        Expect.equal states.Count tasks "every task has a state"
        for t in 0 .. tasks - 1 do
            let r = states[RunStore.ConfigHash(Program.TaskConfig t)]
            Expect.equal r.Status RunStatus.Finished $"task {t} finished"
            let loss = store.GetMetrics(r.Id, "loss")
            Expect.equal loss.Count steps $"task {t} metrics"
            for m in loss do Expect.equal m.Value (Program.Expected(0, t, m.Step, "loss")) "value"

    storeTest b "comparison groups runs by config minus seed with N, mean and t interval; CSV round-trips" <| fun fx ->
        use store = RunStore.Open fx.Location
        let finals = [ 0.1, [ 0.30; 0.34; 0.41 ]; 0.2, [ 0.52; 0.47; 0.60 ] ]
        for lr, values in finals do
            values |> List.iteri (fun k v ->
                let id = store.StartRun(RunInfo("cmp", $"lr{lr}-s{k}", $"""{{"lr": {lr}, "seed": {k}}}""", int64 k))
                store.LogMetrics(id, [ MetricPoint(1L, "loss", 9.0); MetricPoint(10L, "loss", v); MetricPoint(10L, "acc", 1.0 - v) ])
                store.FinishRun(id, RunStatus.Finished))
        let unfinished = store.StartRun(RunInfo("cmp", "lr0.1-s9", """{"lr": 0.1, "seed": 9}""", 9L))
        store.LogMetric(unfinished, 10L, "loss", 100.0)
        let rows = RunComparison.Compare(store, "cmp")
        Expect.equal rows.Count 4 "2 configs x 2 metrics"
        let t975df2 = 4.302652729911275 // Student t quantile 0.975, 2 degrees of freedom (tables)
        for lr, values in finals do
            let row = rows |> Seq.find (fun r -> r.Metric = "loss" && r.ConfigJson = $"""{{"lr":{lr}}}""")
            let mean = List.average values
            let sd = sqrt ((values |> List.sumBy (fun v -> (v - mean) ** 2.0)) / 2.0)
            Expect.equal row.Summary.N 3 "three seeds, the unfinished run left out"
            Expect.floatClose Accuracy.veryHigh row.Summary.Mean mean "mean of the last steps"
            Expect.floatClose Accuracy.veryHigh row.Summary.StdDev sd "sample sd"
            Expect.floatClose Accuracy.high row.Summary.High95 (mean + t975df2 * sd / sqrt 3.0) "upper 95 %"
            Expect.floatClose Accuracy.high row.Summary.Low95 (mean - t975df2 * sd / sqrt 3.0) "lower 95 %"
        use w = new StringWriter()
        RunComparison.WriteCsv(rows, w)
        let lines = w.ToString().TrimEnd('\n').Split('\n')
        Expect.equal lines[0] "study,group,config,metric,n,mean,stddev,low95,high95,non_finite,runs" "header"
        Expect.equal lines.Length 5 "header and four rows"
        let first = rows[0]
        Expect.stringContains lines[1] (first.Summary.Mean.ToString("R", Globalization.CultureInfo.InvariantCulture)) "mean written exactly"
        Expect.stringContains lines[1] "\"{\"\"lr\"\":" "JSON quoted per RFC 4180"
]

let summaryTests =
    testList "SampleSummary" [
        testCase "one value has no spread; empty and NaN samples are refused" <| fun () ->
            let one = SampleSummary.Of [| 2.5 |]
            Expect.equal (one.N, one.Mean) (1, 2.5) "n and mean"
            Expect.isTrue (Double.IsNaN one.StdDev && Double.IsNaN one.Low95 && Double.IsNaN one.High95) "no interval"
            Expect.throwsT<ArgumentException> (fun () -> SampleSummary.Of [||] |> ignore) |> ignore
            let e = throwsOf<ArgumentException> (fun () -> SampleSummary.Of [| 1.0; nan |] |> ignore)
            Expect.stringContains e.Message "NaN" "names the value"
    ]

let postgresOnly =
    let pg name body = storeTest postgres name body
    testList "postgresql-server" [
        pg "keyword and URI connection strings open the same store" <| fun fx ->
            let id =
                use s = RunStore.Open fx.Location
                Expect.equal s.Backend "postgresql" "backend"
                s.StartRun(info "uri" "{}" 1L)
            let b = Npgsql.NpgsqlConnectionStringBuilder(fx.Location)
            let uri = $"postgresql://{b.Username}@{b.Host}:{b.Port}/{b.Database}?search_path={b.SearchPath}"
            use s = RunStore.Open uri
            Expect.equal (s.GetRun id).Name "uri" "same run"
            Expect.isFalse (s.Path.Contains "Password") "display without secrets"

        pg "an unreachable server, a missing database and a malformed string are refused without the password" <| fun fx ->
            let b = Npgsql.NpgsqlConnectionStringBuilder(fx.Location)
            use l = new Net.Sockets.TcpListener(Net.IPAddress.Loopback, 0)
            l.Start()
            let closed = (l.LocalEndpoint :?> Net.IPEndPoint).Port
            l.Stop()
            let e = throwsOf<RunStoreUnavailableException> (fun () ->
                RunStore.Open($"Host=127.0.0.1;Port={closed};Username=postgres;Password=hunter2;Database=x;Timeout=3") |> ignore)
            Expect.stringContains e.Message $"127.0.0.1:{closed}" "names the server"
            Expect.isFalse (e.Message.Contains "hunter2") "no password"
            let e = throwsOf<RunStoreUnavailableException> (fun () ->
                RunStore.Open($"postgresql://postgres:hunter2@127.0.0.1:{b.Port}/no_such_db") |> ignore)
            Expect.stringContains e.Message "no_such_db" "names the database"
            Expect.isFalse (e.Message.Contains "hunter2") "no password"
            let e = throwsOf<ArgumentException> (fun () -> RunStore.Open "Host=127.0.0.1;Password=hunter2;Colour=blue" |> ignore)
            Expect.isFalse (e.Message.Contains "hunter2") "no password"
            Expect.stringContains e.Message "colour" "names the bad keyword"

        pg "a foreign database and a newer schema are refused; their data stay" <| fun fx ->
            fx.Exec "CREATE TABLE runs (x INTEGER); INSERT INTO runs VALUES (5);"
            let e = throwsOf<InvalidDataException> (fun () -> RunStore.Open fx.Location |> ignore)
            Expect.stringContains e.Message "not an InitLab run store" "says why"
            fx.Exec "DROP TABLE runs;"
            let id =
                use s = RunStore.Open fx.Location
                s.StartRun(info "kept" "{}" 1L)
            fx.Exec "UPDATE initlab_schema SET version = 99;"
            let e = throwsOf<InvalidDataException> (fun () -> RunStore.Open fx.Location |> ignore)
            Expect.stringContains e.Message "99" "names the version"
            fx.Exec "UPDATE initlab_schema SET version = 1;"
            use s = RunStore.Open fx.Location
            Expect.equal (s.GetRun id).Name "kept" "nothing lost"
    ]

[<Tests>]
let tests = testList "Store.RunStore.tasks" [ perBackend "backend" taskTests; summaryTests; postgresOnly ]
