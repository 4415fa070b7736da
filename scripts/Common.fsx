// Shared by the study scripts: the built assemblies, command-line options, data root, small helpers.
// Build first (dotnet fsi build.fsx build); the Host output folder carries every dependency,
// and InitLab.Host resolves SQLite's native library from its own folder.
#r "../Host/bin/Release/net10.0/InitLab.Kernel.dll"
#r "../Host/bin/Release/net10.0/InitLab.Host.dll"
#r "../Host/bin/Release/net10.0/Microsoft.Data.Sqlite.dll"
#r "../Host/bin/Release/net10.0/System.Numerics.Tensors.dll"

open System
open System.Collections.Generic
open System.Diagnostics

// A script cannot carry runtime settings, and fsi starts loops at tier-0 code: re-run this script
// once with the kernels' loops jitted fully optimised from the first call (as a long run sees them).
if Environment.GetEnvironmentVariable "DOTNET_TC_QuickJitForLoops" <> "0" then
    let psi = ProcessStartInfo("dotnet", UseShellExecute = false)
    for a in [ "fsi"; "--optimize+" ] @ List.ofArray fsi.CommandLineArgs do psi.ArgumentList.Add a
    psi.Environment["DOTNET_TC_QuickJitForLoops"] <- "0"
    use p = Process.Start psi
    p.WaitForExit()
    exit p.ExitCode

/// A mistake on the command line: the message on stderr, named by the script, and exit code 2 (a usage
/// error), without the stack trace fsi would print for an exception.
let usageError (message: string) : 'a =
    eprintfn "%s: %s" (IO.Path.GetFileName fsi.CommandLineArgs[0]) message
    exit 2

/// Runs `work`, a step the study's own options can refuse (a sweep option that cannot be met, a task that
/// failed on the pool, a --report-only run that meets a network or arm missing from the store): such a
/// refusal is one line on stderr named by the script and exit 1 (2 for an impossible value), not fsi's
/// stack trace. Other exceptions, which would be bugs, keep theirs.
let refusable (work: unit -> 'a) : 'a =
    try work ()
    with
    | :? ArgumentException as e -> usageError (e.Message.Split(" (Parameter", 2)[0])
    | :? InvalidOperationException as e ->
        eprintfn "%s: %s" (IO.Path.GetFileName fsi.CommandLineArgs[0]) e.Message
        exit 1

/// `--name value` options and `--flag` switches.
type Args(values: Map<string, string>, flags: Set<string>) =
    static member parse(argv: string[]) =
        let argv = argv |> Array.skip 1 // the script's own path
        let mutable values = Map.empty
        let mutable flags = Set.empty
        let mutable i = 0
        while i < argv.Length do
            let a = argv[i]
            if not (a.StartsWith "--") then usageError $"unexpected argument '{a}' (options look like --name value)"
            let name = a.Substring 2
            if i + 1 < argv.Length && not (argv[i + 1].StartsWith "--") then
                values <- values.Add(name, argv[i + 1])
                i <- i + 2
            else
                flags <- flags.Add name
                i <- i + 1
        Args(values, flags)
    member _.Flag(name: string) = flags.Contains name
    member _.Option(name: string) = values.TryFind name
    member _.String(name: string, fallback: string) = defaultArg (values.TryFind name) fallback
    member _.Int(name: string, fallback: int) =
        match values.TryFind name with
        | None -> fallback
        | Some s ->
            match Int32.TryParse s with
            | true, v when v > 0 -> v
            | _ -> usageError $"--{name} must be a positive whole number, got '{s}'"

/// A study's output folder: --out DIR, else out/NAME (out/NAME-quick with --quick); created if missing.
let outputFolder (args: Args) (name: string) =
    let dir = args.String("out", IO.Path.Combine("out", if args.Flag "quick" then name + "-quick" else name))
    IO.Directory.CreateDirectory dir |> ignore
    dir

/// Key/value rows for report tables.
let pairs (kvs: (string * string) list) : IEnumerable<struct (string * string)> = kvs |> List.map (fun (k, v) -> struct (k, v)) |> Seq.ofList

module Data =
    /// The data root by the documented order: --data, INITLAB_DATA, user cache, download; None when no real
    /// data were found (the resolver has already warned loudly, naming what was missing).
    let tryResolveRoot (explicitRoot: string option) (dataSets: string list) =
        let options = InitLab.Data.DataRootOptions(ExplicitRoot = Option.toObj explicitRoot, DataSets = dataSets, Warnings = Console.Error)
        let r = InitLab.Data.DataRoot.Resolve options
        Option.ofObj r.Root

    /// MNIST by the documented order, else 6,000 + 1,000 synthetic digits (seed 1): DigitSource's one fallback.
    /// Every set in `sets` (MNIST is added when missing) must be under the same root; `Resolution.Root` names it,
    /// and is null on the synthetic path (the resolver has warned loudly, naming what was missing).
    let mnistOrSynthetic (explicitRoot: string option) (sets: seq<string>) =
        let options = InitLab.Data.DataRootOptions(ExplicitRoot = Option.toObj explicitRoot, DataSets = List.ofSeq sets, Warnings = Console.Error)
        InitLab.Data.DigitSource.LoadMnistOrSynthetic(options, seed = 1, syntheticTrain = 6000, syntheticTest = 1000)

/// The study scripts' sweep flags (issue 13; Host/Sweeps/StudySweep.cs).
module SweepFlags =
    /// Workers and Slurm tasks run the CLI built beside the scripts, unless INITLAB_CLI names another.
    let useBuiltCli () =
        if isNull (Environment.GetEnvironmentVariable InitLab.Sweeps.WorkerCommand.Variable) then
            Environment.SetEnvironmentVariable(InitLab.Sweeps.WorkerCommand.Variable,
                                               IO.Path.Combine(__SOURCE_DIRECTORY__, "..", "Host", "Cli", "bin", "Release", "net10.0", "initlab.dll"))

    /// `--workers N`, `--slurm`, `--report-only` as options of a StudySweep whose tasks train on `threadsPerTask`
    /// threads (0: cores ÷ workers); `--data` goes to the workers.
    let options (args: Args) (threadsPerTask: int) =
        useBuiltCli ()
        InitLab.Sweeps.StudySweepOptions(args.Int("workers", 0), args.Flag "slurm", args.Flag "report-only", threadsPerTask,
                                         Option.toObj (args.Option "data"))
