/// A study script given a wrong option says so in one line and exits 2 (a usage error), before it loads or
/// trains anything, instead of the stack trace fsi prints for an exception; one asked to build its report
/// from a store that lacks the networks (--report-only) names what is missing in one line and exits 1.
module InitLab.Host.Tests.Studies.ScriptUsageTests

open System.IO
open Expecto
open InitLab.Host.Tests.Support

let private expectUsageError (name: string) (args: string list) (message: string) =
    let code, stdout, stderr = StudyScript.run name 3.0 args
    Expect.equal code 2 $"{name}.fsx exit code; stderr:\n{stderr}\nstdout:\n{stdout}"
    Expect.stringContains stderr $"{name}.fsx: {message}" "the message, named by the script"
    Expect.isFalse (stderr.Contains "   at ") $"no stack trace:\n{stderr}"
    Expect.isFalse (stdout.Contains "data:") $"nothing loaded:\n{stdout}"

/// `--quick --report-only` into an empty output folder: nothing is trained, and the refusal names the store.
let private expectReportOnlyRefusal (name: string) (missing: string) =
    let out = Path.Combine(Path.GetTempPath(), $"initlab-reportonly-{name}-{System.Guid.NewGuid():N}")
    try
        let code, stdout, stderr = StudyScript.run name 4.0 [ "--quick"; "--report-only"; "--out"; out ]
        Expect.equal code 1 $"{name}.fsx exit code; stderr:\n{stderr}\nstdout:\n{stdout}"
        Expect.stringContains stderr $"{name}.fsx: " "the message, named by the script"
        Expect.stringContains stderr missing "the missing network or arm, named"
        Expect.stringContains stderr (Path.Combine(out, "runs.db")) "the store it looked in"
        Expect.isFalse (stderr.Contains "   at ") $"no stack trace:\n{stderr}"
        Expect.isFalse (stdout.Contains "epoch 1/") $"nothing trained:\n{stdout}"
        Expect.stringContains stdout "estimate: none (--report-only trains nothing)" "no timing run either"
        Expect.isFalse (File.Exists(Path.Combine(out, "probe.db"))) "no throughput probe trained"
    finally
        if Directory.Exists out then Directory.Delete(out, true)

[<Tests>]
let tests =
    testList "studies.scripts.usage" [
        test "a value that is not a positive whole number is refused, naming the option and the value" {
            expectUsageError "exp_sequence" [ "--seeds"; "zero" ] "--seeds must be a positive whole number, got 'zero'"
        }
        test "a stray argument is refused, naming it" {
            expectUsageError "exp_init" [ "mnist" ] "unexpected argument 'mnist' (options look like --name value)"
        }
        test "exp_sequence.fsx --report-only on an empty store names the first missing network in one line and exits 1" {
            expectReportOnlyRefusal "exp_sequence" "model1-cnn1-seed1: no finished run"
        }
        test "exp_init.fsx --report-only on an empty store names the arms not done in one line and exits 1" {
            expectReportOnlyRefusal "exp_init" "--report-only: 6 of 6 arm(s)"
        }
    ]
