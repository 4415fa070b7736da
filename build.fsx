// InitLab's build script: plain F# and `dotnet` calls (FAKE does not restore here).
// Usage: dotnet fsi build.fsx <target> [-- args passed to the target's program]
//   restore   dotnet tool restore + paket restore
//   build     restore, then build Mixed.sln in Release
//   test      find (or install) Chromium, build, run every Expecto suite; ends with "N passed, N failed, N skipped"
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

/// On the development layout the real data sit in ../shared/data; use them unless told otherwise.
let defaultDataRoot () =
    let shared = Path.GetFullPath(Path.Combine(root, "..", "shared", "data"))
    if isNull (Environment.GetEnvironmentVariable "INITLAB_DATA") && Directory.Exists shared then
        Environment.SetEnvironmentVariable("INITLAB_DATA", shared)

let ansi = Regex(@"\x1b\[[0-9;?]*[A-Za-z]")
let summary = Regex(@"(\d+) passed, (\d+) ignored, (\d+) failed, (\d+) errored")
/// The line each suite prints per skipped test, after its summary (tests/Kernel.Tests/Support/SuiteRunner.fs).
let skippedLine = Regex(@"^SKIPPED (.*)$", RegexOptions.Multiline)

/// The names BrowserCheck looks for on PATH (Host/Reports/BrowserCheck.cs), after INITLAB_CHROMIUM.
let chromiumNames = [ "chromium"; "chromium-browser"; "google-chrome"; "google-chrome-stable" ]

let onPath (name: string) =
    (Environment.GetEnvironmentVariable "PATH" |> Option.ofObj |> Option.defaultValue "").Split(Path.PathSeparator)
    |> Array.map (fun dir -> Path.Combine(dir, name))
    |> Array.tryFind File.Exists

let findChromium () =
    match Environment.GetEnvironmentVariable "INITLAB_CHROMIUM" with
    | null | "" -> chromiumNames |> List.tryPick onPath
    | configured when File.Exists configured -> Some configured
    | configured ->
        eprintfn "build.fsx: INITLAB_CHROMIUM=%s does not exist; point it at a Chromium executable or unset it" configured
        exit 1

/// The report tests render in headless Chromium: find it, install it with apt-get when root, else stop here.
let ensureChromium () =
    match findChromium () with
    | Some _ -> ()
    | None ->
        let isRoot = Environment.UserName = "root"
        if isRoot && (onPath "apt-get").IsSome then
            printfn "build.fsx: Chromium not found; installing it with apt-get"
            let quiet = [ "-qq" ]
            let update, _ = run false "apt-get" ("update" :: quiet)
            let install, _ = if update = 0 then run false "apt-get" ([ "install"; "-y"; "--no-install-recommends" ] @ quiet @ [ "chromium" ]) else update, ""
            if install <> 0 then
                eprintfn "build.fsx: 'apt-get install chromium' failed (exit %d); install Chromium or set INITLAB_CHROMIUM" install
                exit 1
        match findChromium () with
        | Some _ -> ()
        | None ->
            eprintfn "build.fsx: Chromium not found (INITLAB_CHROMIUM unset; none of %s on PATH%s); install it (apt-get install chromium) or set INITLAB_CHROMIUM"
                (String.Join(", ", chromiumNames)) (if isRoot then "" else "; not root, so not installed")
            exit 1

/// Runs each Expecto suite and sums their counts; errored tests count as failed. The skipped tests are
/// listed with their reasons, then the closing line, which is the last line printed.
let test (extra: string list) =
    ensureChromium ()
    build ()
    defaultDataRoot ()
    // One seed for both suites, so one INITLAB_FSCHECK_SEED replays the whole run.
    if String.IsNullOrEmpty(Environment.GetEnvironmentVariable "INITLAB_FSCHECK_SEED") then
        Environment.SetEnvironmentVariable("INITLAB_FSCHECK_SEED", string (Random.Shared.NextInt64 Int64.MaxValue))
    let mutable passed, failed, skipped, broken = 0, 0, 0, []
    let skippedTests = Collections.Generic.List<string>()
    for proj in testProjects do
        let code, out =
            run true "dotnet" ([ "run"; "--project"; proj; "-c"; "Release"; "--no-build"; "--" ] @ extra)
        let plain = ansi.Replace(out, "")
        let m = summary.Matches plain
        if m.Count = 0 then
            broken <- proj :: broken
        else
            let g = m[m.Count - 1].Groups
            passed <- passed + int g[1].Value
            skipped <- skipped + int g[2].Value
            failed <- failed + int g[3].Value + int g[4].Value
        for s in skippedLine.Matches plain do skippedTests.Add(s.Groups[1].Value.TrimEnd())
        if code <> 0 && m.Count > 0 && int m[m.Count - 1].Groups[3].Value + int m[m.Count - 1].Groups[4].Value = 0 then
            broken <- proj :: broken
    for b in broken do
        eprintfn "build.fsx: %s did not finish cleanly (no Expecto summary or non-zero exit)" b
        failed <- failed + 1
    Console.Error.Flush()
    if skippedTests.Count > 0 then
        printfn "Skipped (%d):" skippedTests.Count
        for s in skippedTests do printfn "  %s" s
    printfn "FsCheck seed %s (replay: INITLAB_FSCHECK_SEED=%s)" (Environment.GetEnvironmentVariable "INITLAB_FSCHECK_SEED") (Environment.GetEnvironmentVariable "INITLAB_FSCHECK_SEED")
    printfn "%d passed, %d failed, %d skipped" passed failed skipped
    Console.Out.Flush()
    if failed > 0 then exit 1

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
