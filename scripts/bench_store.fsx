// Run store throughput: 4 concurrent writer processes into one SQLite file, then into one PostgreSQL
// database (a private PostgreSQL 15 cluster on a loopback port, as the tests start it).
// Each writer records RUNS runs of STEPS steps: one metric per step on its own, one batch of ten every
// ten steps, as a trainer logs loss per step and evaluations per epoch.
// Usage (after `dotnet fsi build.fsx build`): dotnet fsi scripts/bench_store.fsx [--quick]
#r "../Host/bin/Release/net10.0/InitLab.Host.dll"
#r "../Host/bin/Release/net10.0/Npgsql.dll"
#load "../tests/Host.Tests/Store/PostgresCluster.fs"

open System
open System.Diagnostics
open System.IO
open InitLab.Host.Tests.Store

let quick = fsi.CommandLineArgs |> Array.contains "--quick"
let writers, runs, steps = if quick then 4, 3, 50 else 4, 10, 200
let writerDll = Path.Combine(__SOURCE_DIRECTORY__, "..", "tests", "StoreWriter", "bin", "Release", "net10.0", "StoreWriter.dll")
if not (File.Exists writerDll) then failwithf "%s is missing: run `dotnet fsi build.fsx build` first" writerDll

/// Starts the writers together; returns the wall-clock window (ms) from the first start to the last end of writing.
let race (store: string) =
    let procs =
        [ for w in 1..writers ->
              let psi = ProcessStartInfo("dotnet", [ writerDll; "runs"; store; string w; string runs; string steps ],
                                         UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true)
              Process.Start psi ]
    let windows =
        [ for p in procs ->
              let out = p.StandardOutput.ReadToEnd()
              let err = p.StandardError.ReadToEnd()
              p.WaitForExit()
              if p.ExitCode <> 0 then failwithf "writer failed (exit %d): %s" p.ExitCode err
              let line = out.Split('\n') |> Array.find (fun l -> l.StartsWith "window ")
              let parts = line.Trim().Split(' ')
              int64 parts[1], int64 parts[2] ]
    float (List.max (List.map snd windows) - List.min (List.map fst windows))

/// The 1-, 5- and 15-minute load averages (the machine may be shared).
let load () = (File.ReadAllText "/proc/loadavg").Split(' ') |> Array.take 3 |> String.concat " "

let report (name: string) (ms: float) =
    let totalRuns = writers * runs
    let metrics = totalRuns * steps * 2
    printfn "%-11s %d writers: %6.0f ms   %8.1f runs/s   %9.0f metrics/s   (load average %s)" name writers ms
        (float totalRuns / (ms / 1000.0)) (float metrics / (ms / 1000.0)) (load ())

printfn "run store, %d writer processes x %d runs x %d steps (%d metric values each run)%s" writers runs steps (steps * 2)
    (if quick then " [quick]" else "")
let dir = Path.Combine(Path.GetTempPath(), "initlab-bench-store-" + Guid.NewGuid().ToString("N"))
Directory.CreateDirectory dir |> ignore
try
    report "SQLite" (race (Path.Combine(dir, "bench.db")))
    match PostgresCluster.get () with
    | Ok cluster ->
        try report "PostgreSQL" (race (cluster.ConnectionString()))
        finally cluster.Stop()
    | Error reason -> printfn "PostgreSQL  skipped: %s" reason
finally
    try Directory.Delete(dir, true) with _ -> ()
