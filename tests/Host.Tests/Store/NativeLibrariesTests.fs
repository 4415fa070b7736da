module InitLab.Host.Tests.Store.NativeLibrariesTests

open System
open System.IO
open System.Text.Json.Nodes
open Expecto
open InitLab.Store
open InitLab.Host.Tests.Store.StoreTestSupport

[<Tests>]
let tests =
    testList "Store.NativeLibraries" [
        testCase "an F# script that #r's the Host DLL opens a store and writes a run" <| fun () ->
            use dir = new TempDir()
            let db = dir.File "fsi.db"
            let host = Path.Combine(testBinDir, "InitLab.Host.dll")
            let script = dir.File "check.fsx"
            let lines =
                [ "#r @\"" + host + "\""
                  "open InitLab.Store"
                  "let store = RunStore.Open @\"" + db + "\""
                  "let id = store.StartRun(RunInfo(\"fsi\", \"check\", \"{}\", 1L))"
                  "store.LogMetric(id, 0L, \"loss\", 0.5)"
                  "store.FinishRun(id, RunStatus.Finished, \"from fsi\")"
                  "store.Dispose()"
                  "printfn \"fsi-ok %d\" id" ]
            File.WriteAllLines(script, lines)
            let code, out, err = finish 120_000 (startDotnet [ "fsi"; script ])
            Expect.equal code 0 $"dotnet fsi exit code (stderr: {err})"
            Expect.stringContains out "fsi-ok" "script ran"
            use store = RunStore.Open db
            let run = store.GetRuns "fsi" |> Seq.exactlyOne
            Expect.equal run.Message "from fsi" "the script's run is in the store"

        testCase "a process whose deps.json lists no native assets still finds e_sqlite3 next to Host" <| fun () ->
            // Without Host's resolver the runtime would only probe the app directory and fail.
            use dir = new TempDir()
            let deps = JsonNode.Parse(File.ReadAllText(Path.Combine(testBinDir, "StoreWriter.deps.json")))
            for target in deps["targets"].AsObject() do
                for lib in target.Value.AsObject() do
                    lib.Value.AsObject().Remove "runtimeTargets" |> ignore
                    lib.Value.AsObject().Remove "native" |> ignore
            // The host resolves app assemblies relative to the deps file, so it must sit next to them.
            let stripped = Path.Combine(testBinDir, $"StoreWriter.{Guid.NewGuid():N}.deps.json")
            File.WriteAllText(stripped, deps.ToJsonString())
            let db = dir.File "nodeps.db"
            let code, out, err =
                try
                    finish 60_000 (startDotnet [ "exec"; "--depsfile"; stripped; Path.Combine(testBinDir, "StoreWriter.dll"); "runs"; db; "1"; "1"; "3" ])
                finally
                    File.Delete stripped
            Expect.equal code 0 $"writer exit code (stderr: {err})"
            Expect.stringContains out "done" "writer finished"
            use store = RunStore.Open db
            Expect.equal (store.GetRuns "multi").Count 1 "run written"
    ]
