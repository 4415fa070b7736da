// Sweep throughput of the LeNet study (paper 000, scripts/exp_lenet.fsx): its arms as sweep tasks on the local
// pool, 1 worker × 2 threads against 2 workers × 1 thread (tasks per hour of the sweep step), then the wall time
// of `initlab sweep run --task-index I` for a task that is already done (skipped), and of `--workers 2` over the
// finished sweep. The machine may be shared: each figure is printed with the load average beside it.
// Prints `name=value` lines.
// Usage: dotnet fsi scripts/bench_sweep.fsx [--quick] [--iterations N]   (build first: dotnet fsi build.fsx build)
//   default: the whole study (10 arms × 1,000 iterations); --quick: 6 arms × 200 iterations.
#load "Common.fsx"

open System
open System.Diagnostics
open System.IO
open InitLab.Sweeps
open Common

let args = Args.parse fsi.CommandLineArgs
let quick = args.Flag "quick"
let iterations = args.Int("iterations", if quick then 200 else 1000)
let cli = Path.GetFullPath(Path.Combine(__SOURCE_DIRECTORY__, "..", "Host", "Cli", "bin", "Release", "net10.0", "initlab.dll"))
if not (File.Exists cli) then failwith $"{cli} is missing; build first (dotnet fsi build.fsx build)"
SweepFlags.useBuiltCli ()

/// The 1-, 5- and 15-minute load averages.
let load () = (File.ReadAllText "/proc/loadavg").Split(' ') |> Array.take 3 |> String.concat " "
let work = Path.Combine(Path.GetTempPath(), "initlab-bench-sweep-" + Guid.NewGuid().ToString("N").Substring(0, 8))

/// exp_lenet.fsx with its arms on `workers` workers × `threads` threads; returns (arms, sweep seconds, out folder).
let study (workers: int) (threads: int) =
    let out = Path.Combine(work, $"w{workers}t{threads}")
    let psi = ProcessStartInfo("dotnet", UseShellExecute = false, RedirectStandardOutput = true)
    for a in [ "fsi"; "--optimize+"; Path.Combine(__SOURCE_DIRECTORY__, "exp_lenet.fsx"); "--out"; out; "--iterations"; string iterations
               "--workers"; string workers; "--threads"; string threads ] @ (if quick then [ "--quick" ] else []) @
             (match args.Option "data" with Some d -> [ "--data"; d ] | None -> []) do
        psi.ArgumentList.Add a
    use p = Process.Start psi
    let stdout = p.StandardOutput.ReadToEnd()
    p.WaitForExit()
    if p.ExitCode <> 0 then failwith $"exp_lenet.fsx --workers {workers} --threads {threads} failed ({p.ExitCode}):\n{stdout}"
    // "sweep: N arm(s) done in S s"
    let line = stdout.Split('\n') |> Array.find (fun l -> l.StartsWith "sweep: ")
    let words = line.Split(' ')
    int words[1], float words[5], out

try
    printfn "sweep: the LeNet study's arms (exp_lenet.fsx%s, %d iterations at batch 64), %d cores" (if quick then " --quick" else "") iterations Environment.ProcessorCount
    let mutable last = ""
    for workers, threads in [ 1, 2; 2, 1 ] do
        let before = load ()
        let arms, seconds, out = study workers threads
        printfn "sweep_tasks_per_hour_%dx%d=%.0f  (%d arms in %.1f s; load average before %s, after %s)" workers threads
            (float arms / seconds * 3600.0) arms seconds before (load ())
        last <- out
    let manifest = Directory.GetFiles(Path.Combine(last, "sweep"), "arms-*.json") |> Array.exactlyOne
    let store = Path.Combine(last, "runs.db")
    // a done task: the process starts, loads and checks the manifest, finds the finished run, exits
    let skipped () =
        let psi = ProcessStartInfo("dotnet", UseShellExecute = false, RedirectStandardOutput = true)
        for a in [ cli; "sweep"; "run"; "--manifest"; manifest; "--task-index"; "0"; "--store"; store; "--quiet" ] do psi.ArgumentList.Add a
        let sw = Stopwatch.StartNew()
        use p = Process.Start psi
        let out = p.StandardOutput.ReadToEnd()
        p.WaitForExit()
        sw.Stop()
        if not (out.Contains "is done") then failwith $"task 0 was not skipped: {out}"
        sw.Elapsed.TotalSeconds
    let times = [ for _ in 1 .. 3 -> skipped () ]
    printfn "sweep_skipped_task_seconds=%.2f  (min of %s; load average %s)" (List.min times) (times |> List.map (sprintf "%.2f") |> String.concat ", ") (load ())
    let sw = Stopwatch.StartNew()
    let outcomes = LocalPool.Run(SweepManifest.Load manifest, LocalPoolOptions(2, store, 1, Log = TextWriter.Null))
    sw.Stop()
    if outcomes |> Seq.exists (fun o -> o.Kind <> TaskOutcomeKind.Skipped) then failwith "a task of the finished sweep was run again"
    printfn "sweep_finished_rerun_seconds=%.2f  (%d tasks, 2 workers; load average %s)" sw.Elapsed.TotalSeconds outcomes.Count (load ())
finally
    try Directory.Delete(work, true) with _ -> ()
