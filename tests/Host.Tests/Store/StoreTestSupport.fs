/// Temporary directories and child processes for the store tests.
module InitLab.Host.Tests.Store.StoreTestSupport

open System
open System.Diagnostics
open System.IO

/// A fresh directory under the system temp directory, deleted on Dispose.
type TempDir() =
    let path = Path.Combine(Path.GetTempPath(), "initlab-store-tests", Guid.NewGuid().ToString("N"))
    do Directory.CreateDirectory path |> ignore
    member _.Path = path
    member _.File(name: string) = Path.Combine(path, name)
    interface IDisposable with
        member _.Dispose() =
            try Directory.Delete(path, true) with _ -> ()

/// The `dotnet` host running this process (DOTNET_HOST_PATH is set by the SDK for its children).
let dotnetHost () =
    match Environment.GetEnvironmentVariable "DOTNET_HOST_PATH" with
    | null | "" -> "dotnet"
    | p -> p

/// Directory of the test assembly (StoreWriter.dll and the Host DLL are copied there).
let testBinDir = AppContext.BaseDirectory

/// Starts `dotnet <dll> args` with redirected output and the extra environment variables `env`.
let startDotnetWith (env: (string * string) list) (args: string list) =
    let psi = ProcessStartInfo(dotnetHost (), args, UseShellExecute = false)
    for k, v in env do psi.Environment[k] <- v
    psi.RedirectStandardOutput <- true
    psi.RedirectStandardError <- true
    psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] <- "1"
    psi.Environment["DOTNET_NOLOGO"] <- "1"
    Process.Start psi

/// Starts `dotnet <dll> args` with redirected output.
let startDotnet (args: string list) = startDotnetWith [] args

/// Starts the StoreWriter helper with the given arguments.
let startWriter (args: string list) =
    startDotnet (Path.Combine(testBinDir, "StoreWriter.dll") :: args)

/// Waits for exit (killing the process after the timeout) and returns exit code, stdout, stderr.
let finish (timeoutMs: int) (p: Process) =
    let out = p.StandardOutput.ReadToEndAsync()
    let err = p.StandardError.ReadToEndAsync()
    if not (p.WaitForExit timeoutMs) then
        p.Kill true
        p.WaitForExit()
        failwithf "child process %s did not finish within %d ms" p.StartInfo.Arguments timeoutMs
    p.WaitForExit()
    p.ExitCode, out.Result, err.Result

/// Runs `f`, expecting an exception of exactly type 'E, and returns it.
let throwsOf<'E when 'E :> exn> (f: unit -> unit) : 'E =
    let caught =
        try
            f ()
            None
        with e -> Some e
    match caught with
    | Some(:? 'E as e) when e.GetType() = typeof<'E> -> e
    | Some e -> failwithf "expected %s, got %s: %s" typeof<'E>.Name (e.GetType().Name) e.Message
    | None -> failwithf "expected %s, nothing was thrown" typeof<'E>.Name

/// A checkpoint entry: the Kernel's state type, built from F#.
let tensor (name: string) (shape: int[]) (data: Array) : InitLab.Kernel.StateBuffer = { Name = name; Shape = shape; Data = data }
