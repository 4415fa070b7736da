// InitLab's build script: plain F# and `dotnet` calls (FAKE does not restore here).
// Usage: dotnet fsi build.fsx <target> [-- args passed to the target's program]
//   restore   dotnet tool restore + paket restore
//   build     restore, then build Mixed.sln in Release
//   test      build, then run every Expecto suite; ends with "N passed, N failed"
//   bench     build, then dotnet fsi scripts/bench.fsx
//   lenet     build, then dotnet fsi scripts/exp_lenet.fsx (the main job)
//   script    build, then dotnet fsi scripts/<name>.fsx  (e.g. script exp_twolayer --quick)

open System
open System.Diagnostics
open System.IO
open System.Text.RegularExpressions

let root = __SOURCE_DIRECTORY__

/// Runs a program, streaming its output; returns exit code and (optionally) the captured stdout.
let run (capture: bool) (file: string) (args: string list) =
    let psi = ProcessStartInfo(file, args, WorkingDirectory = root, UseShellExecute = false)
    // F# scripts cannot carry runtime settings: jit the kernels' loops fully optimised from the start
    psi.Environment["DOTNET_TC_QuickJitForLoops"] <- "0"
    psi.RedirectStandardOutput <- capture
    use p = Process.Start psi
    let out = Text.StringBuilder()
    if capture then
        let mutable line = p.StandardOutput.ReadLine()
        while not (isNull line) do
            Console.WriteLine line
            out.AppendLine line |> ignore
            line <- p.StandardOutput.ReadLine()
    p.WaitForExit()
    p.ExitCode, out.ToString()

let must (file: string) (args: string list) =
    let code, _ = run false file args
    if code <> 0 then
        eprintfn "build.fsx: '%s %s' failed with exit code %d" file (String.Join(" ", args)) code
        exit code

let restore () =
    must "dotnet" [ "tool"; "restore" ]
    must "dotnet" [ "paket"; "restore" ]

let build () =
    restore ()
    must "dotnet" [ "build"; "Mixed.sln"; "-c"; "Release"; "--nologo"; "-v"; "q"; "-clp:ErrorsOnly" ]

let testProjects = [ "tests/Kernel.Tests/Kernel.Tests.fsproj"; "tests/Host.Tests/Host.Tests.fsproj" ]

let ansi = Regex(@"\x1b\[[0-9;?]*[A-Za-z]")
let summary = Regex(@"(\d+) passed, (\d+) ignored, (\d+) failed, (\d+) errored")

/// Runs each Expecto suite and sums their counts; errored tests count as failed.
let test (extra: string list) =
    build ()
    let mutable passed, failed, broken = 0, 0, []
    for proj in testProjects do
        let code, out =
            run true "dotnet" ([ "run"; "--project"; proj; "-c"; "Release"; "--no-build"; "--" ] @ extra)
        let m = summary.Matches(ansi.Replace(out, ""))
        if m.Count = 0 then
            broken <- proj :: broken
        else
            let g = m[m.Count - 1].Groups
            passed <- passed + int g[1].Value
            failed <- failed + int g[3].Value + int g[4].Value
        if code <> 0 && m.Count > 0 && int m[m.Count - 1].Groups[3].Value + int m[m.Count - 1].Groups[4].Value = 0 then
            broken <- proj :: broken
    for b in broken do
        eprintfn "build.fsx: %s did not finish cleanly (no Expecto summary or non-zero exit)" b
        failed <- failed + 1
    printfn "%d passed, %d failed" passed failed
    if failed > 0 then exit 1

/// On the development layout the real data sit in ../shared/data; use them unless told otherwise.
let defaultDataRoot () =
    let shared = Path.GetFullPath(Path.Combine(root, "..", "shared", "data"))
    if isNull (Environment.GetEnvironmentVariable "INITLAB_DATA") && Directory.Exists shared then
        Environment.SetEnvironmentVariable("INITLAB_DATA", shared)

let script (name: string) (args: string list) =
    build ()
    defaultDataRoot ()
    let code, _ = run false "dotnet" ([ "fsi"; "--optimize+"; $"scripts/{name}.fsx" ] @ args)
    exit code

match fsi.CommandLineArgs |> Array.toList |> List.tail with
| [ "restore" ] -> restore ()
| [ "build" ] -> build ()
| "test" :: rest -> test rest
| "bench" :: rest -> script "bench" rest
| "lenet" :: rest -> script "exp_lenet" rest
| "script" :: name :: rest -> script name rest
| _ ->
    eprintfn "usage: dotnet fsi build.fsx (restore|build|test|bench|lenet|script NAME) [args]"
    exit 2
