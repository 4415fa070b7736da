/// Runs a study script of the repository as a user would: `dotnet fsi --optimize+ scripts/NAME.fsx --quick --out DIR`.
module InitLab.Host.Tests.Support.StudyScript

open System
open System.IO
open Expecto
open InitLab.Host.Tests.Support.RepoRoot
open InitLab.Host.Tests.Store.StoreTestSupport

/// Runs scripts/`name`.fsx with `args`; fails the test naming the script when it exceeds `minutes` (the
/// child is killed and reaped). Returns its exit code, standard output and standard error.
let run (name: string) (minutes: float) (args: string list) =
    let p = startDotnet ([ "fsi"; "--optimize+"; Path.Combine(requireRepoRoot (), "scripts", $"{name}.fsx") ] @ args)
    let stdout = p.StandardOutput.ReadToEndAsync()
    let stderr = p.StandardError.ReadToEndAsync()
    if not (p.WaitForExit(TimeSpan.FromMinutes minutes)) then
        p.Kill true
        p.WaitForExit()
        failtestf "%s.fsx %s did not finish in %g minutes" name (String.Join(" ", args)) minutes
    p.WaitForExit()
    p.ExitCode, stdout.Result, stderr.Result

/// Runs scripts/`name`.fsx with `--quick --out out` and then `extra`; fails the test naming the script when it
/// exceeds `minutes` or exits non-zero (its stderr and stdout in the message). Returns its standard output.
let runQuickWith (name: string) (out: string) (minutes: float) (extra: string list) =
    let code, stdout, stderr = run name minutes ([ "--quick"; "--out"; out ] @ extra)
    Expect.equal code 0 $"{name}.fsx exit code; stderr:\n{stderr}\nstdout:\n{stdout}"
    stdout

/// `runQuickWith name out minutes []`.
let runQuick (name: string) (out: string) (minutes: float) = runQuickWith name out minutes []
