/// Tiny sweeps and the initlab CLI, in-process and as child processes, for the sweep tests.
module InitLab.Host.Tests.Sweeps.SweepTestSupport

open System
open System.Diagnostics
open System.IO
open InitLab.Sweeps
open InitLab.Host.Tests.Store.StoreTestSupport

/// A LeNet-5 task small enough to train in well under a second: synthetic digits, batch 16.
let tinyConfigWith (solver: string) (iterations: int) =
    TaskConfig(Model = "lenet5", Data = "synthetic", Solver = solver, Batch = 16, Iterations = iterations,
               CheckpointInterval = 5, SyntheticTrain = 256, SyntheticTest = 64)

let tinyConfig = tinyConfigWith "sgd:0.9 lr=0.01" 20

/// `arms` arms × `seeds` seeds of the tiny config (arms differ in their learning rate).
let tinySweep (study: string) (arms: int) (seeds: int list) =
    let sweep = Sweep(study)
    for a in 1 .. arms do
        sweep.Arm($"lr{a}", tinyConfigWith $"sgd:0.9 lr=0.0{a}" 20, seeds |> List.toArray) |> ignore
    sweep

/// Runs `initlab args` in-process, capturing standard output and error.
let runCli (args: string list) = InitLab.Host.Tests.Training.TrainCommandTests.run (List.toArray args)

/// initlab.dll in the test's output folder (the Cli project is referenced).
let cliDll = Path.Combine(testBinDir, "initlab.dll")

/// Starts `dotnet initlab.dll args` with extra environment variables.
let startCli (env: (string * string) list) (args: string list) =
    let psi = ProcessStartInfo(dotnetHost (), UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true)
    psi.ArgumentList.Add cliDll
    for a in args do psi.ArgumentList.Add a
    psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] <- "1"
    for k, v in env do psi.Environment[k] <- v
    Process.Start psi

/// The repository root (holding Mixed.sln) above the test's output folder, if any.
let repoRoot () =
    let rec up (d: DirectoryInfo) =
        if isNull d then None
        elif File.Exists(Path.Combine(d.FullName, "Mixed.sln")) then Some d.FullName
        else up d.Parent
    up (DirectoryInfo testBinDir)

/// Waits (bounded) until `cond ()` holds; false on timeout.
let waitFor (timeoutMs: int) (cond: unit -> bool) =
    let sw = Stopwatch.StartNew()
    let mutable ok = cond ()
    while not ok && sw.ElapsedMilliseconds < int64 timeoutMs do
        Threading.Thread.Sleep 50
        ok <- cond ()
    ok
