/// A study script given a wrong option says so in one line and exits 2 (a usage error), before it loads or
/// trains anything, instead of the stack trace fsi prints for an exception.
module InitLab.Host.Tests.Studies.ScriptUsageTests

open Expecto
open InitLab.Host.Tests.Support

let private expectUsageError (name: string) (args: string list) (message: string) =
    let code, stdout, stderr = StudyScript.run name 3.0 args
    Expect.equal code 2 $"{name}.fsx exit code; stderr:\n{stderr}\nstdout:\n{stdout}"
    Expect.stringContains stderr $"{name}.fsx: {message}" "the message, named by the script"
    Expect.isFalse (stderr.Contains "   at ") $"no stack trace:\n{stderr}"
    Expect.isFalse (stdout.Contains "data:") $"nothing loaded:\n{stdout}"

[<Tests>]
let tests =
    testList "studies.scripts.usage" [
        test "a value that is not a positive whole number is refused, naming the option and the value" {
            expectUsageError "exp_sequence" [ "--seeds"; "zero" ] "--seeds must be a positive whole number, got 'zero'"
        }
        test "a stray argument is refused, naming it" {
            expectUsageError "exp_init" [ "mnist" ] "unexpected argument 'mnist' (options look like --name value)"
        }
    ]
