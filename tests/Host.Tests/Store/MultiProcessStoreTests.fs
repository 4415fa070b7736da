module InitLab.Host.Tests.Store.MultiProcessStoreTests

open Expecto
open InitLab.Store
open InitLab.Tests.StoreWriter
open InitLab.Host.Tests.Store.StoreTestSupport
open InitLab.Host.Tests.Store.StoreBackends

let writers (b: Backend) = [
    storeTest b "two processes writing runs and metrics into one fresh store lose nothing" <| fun fx ->
        let path = fx.Location
        let runs, steps = 4, 150
        // Both start on a store that does not exist yet, so they also race on creation and migration.
        let children = [ for w in 1..2 -> startWriter [ "runs"; path; string w; string runs; string steps ] ]
        for p in children do
            let code, out, err = finish 120_000 p
            Expect.equal code 0 $"writer exit code (stderr: {err})"
            Expect.stringContains out "done" "writer finished"
        use store = RunStore.Open path
        let all = store.GetRuns "multi"
        Expect.equal all.Count (2 * runs) "every run stored"
        for w in 1..2 do
            for r in 0 .. runs - 1 do
                let run = all |> Seq.find (fun x -> x.Name = $"w{w}-r{r}")
                Expect.equal run.Status RunStatus.Finished $"run w{w}-r{r} finished"
                Expect.equal run.Seed (int64 (w * 1000 + r)) "seed"
                for name in [ "acc"; "loss" ] do
                    let values = store.GetMetrics(run.Id, name)
                    Expect.equal values.Count steps $"{name} count of w{w}-r{r}"
                    for m in values do
                        Expect.equal m.Value (Program.Expected(w, r, m.Step, name)) $"{name} at step {m.Step}"
]

[<Tests>]
let tests = perBackend "Store.MultiProcess" writers
