/// Runs a study script of the repository as a user would: `dotnet fsi --optimize+ scripts/NAME.fsx --quick --out DIR`.
module InitLab.Host.Tests.Support.StudyScript

open System
open System.IO
open Expecto
open InitLab.Host.Tests.Support.RepoRoot
open InitLab.Host.Tests.Store.StoreTestSupport

/// Runs scripts/`name`.fsx with `--quick --out out` and then `extra`; fails the test naming the script when it
/// exceeds `minutes` (the child is killed and reaped) or exits non-zero (its stderr and stdout in the message).
/// Returns its standard output.
let runQuickWith (name: string) (out: string) (minutes: float) (extra: string list) =
    let p = startDotnet ([ "fsi"; "--optimize+"; Path.Combine(requireRepoRoot (), "scripts", $"{name}.fsx"); "--quick"; "--out"; out ] @ extra)
    let stdout = p.StandardOutput.ReadToEndAsync()
    let stderr = p.StandardError.ReadToEndAsync()
    if not (p.WaitForExit(TimeSpan.FromMinutes minutes)) then
        p.Kill true
        p.WaitForExit()
        failtestf "%s.fsx --quick did not finish in %g minutes" name minutes
    Expect.equal p.ExitCode 0 $"{name}.fsx exit code; stderr:\n{stderr.Result}\nstdout:\n{stdout.Result}"
    stdout.Result

/// `runQuickWith name out minutes []`.
let runQuick (name: string) (out: string) (minutes: float) = runQuickWith name out minutes []
