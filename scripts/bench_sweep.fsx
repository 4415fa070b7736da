// Sweep throughput: tasks per hour of a tiny LeNet-5 sweep on the local pool, 1 worker × 2 threads
// against 2 workers × 1 thread, and the wall time of `initlab sweep run --task-index I` for a task
// that is already done (skipped). Prints `name=value` lines.
// Usage: dotnet fsi scripts/bench_sweep.fsx [--quick]   (build first: dotnet fsi build.fsx build)
#load "Common.fsx"

open System
open System.Diagnostics
open System.IO
open InitLab.Sweeps
open Common

let args = Args.parse fsi.CommandLineArgs
let quick = args.Flag "quick"
let tasks, iterations = if quick then 4, 50 else 8, 200
let cli = Path.GetFullPath(Path.Combine(__SOURCE_DIRECTORY__, "..", "Host", "Cli", "bin", "Release", "net10.0", "initlab.dll"))
if not (File.Exists cli) then failwith $"{cli} is missing; build first (dotnet fsi build.fsx build)"
Environment.SetEnvironmentVariable(WorkerCommand.Variable, cli)

let work = Path.Combine(Path.GetTempPath(), "initlab-bench-sweep-" + Guid.NewGuid().ToString("N").Substring(0, 8))
let config =
    TaskConfig(Model = "lenet5", Data = "synthetic", Solver = "sgd:0.9 lr=0.01", Batch = 64, Iterations = iterations,
               SyntheticTrain = 2000, SyntheticTest = 500)
let plan (name: string) =
    Sweep(name).Arm("lenet", config, Array.init tasks (fun i -> i + 1)).Plan(Path.Combine(work, name, "sweep.json"))

let perHour (workers: int) (threads: int) =
    let m = plan $"w{workers}t{threads}"
    let store = Path.Combine(work, $"w{workers}t{threads}", "runs.db")
    let sw = Stopwatch.StartNew()
    let outcomes = Sweep.RunLocal(m, store, workers, threads)
    sw.Stop()
    if outcomes |> Seq.exists (fun o -> not o.Ok) then failwith "a task failed"
    float tasks / sw.Elapsed.TotalHours, m, store

try
    printfn "sweep: %d tasks of LeNet-5, %d iterations at batch 64, synthetic digits, %d cores" tasks iterations Environment.ProcessorCount
    let a, _, _ = perHour 1 2
    printfn "sweep_tasks_per_hour_1x2=%.0f" a
    let b, m, store = perHour 2 1
    printfn "sweep_tasks_per_hour_2x1=%.0f" b
    // a done task: the process starts, loads and checks the manifest, finds the finished run, exits
    let skipped () =
        let psi = ProcessStartInfo("dotnet", UseShellExecute = false, RedirectStandardOutput = true)
        for a in [ cli; "sweep"; "run"; "--manifest"; m.Path; "--task-index"; "0"; "--store"; store; "--quiet" ] do psi.ArgumentList.Add a
        let sw = Stopwatch.StartNew()
        use p = Process.Start psi
        let out = p.StandardOutput.ReadToEnd()
        p.WaitForExit()
        sw.Stop()
        if not (out.Contains "is done") then failwith $"task 0 was not skipped: {out}"
        sw.Elapsed.TotalSeconds
    let times = [ for _ in 1 .. 3 -> skipped () ]
    printfn "sweep_skipped_task_seconds=%.2f" (List.min times)
finally
    try Directory.Delete(work, true) with _ -> ()
