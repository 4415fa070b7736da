/// Each suite's entry point (shared by both suites, linked into Host.Tests): prints the FsCheck seed first,
/// and after Expecto's summary one "SKIPPED name: reason" line per skipped test, which Expecto's own summary
/// lists without reasons and build.fsx relays above its closing line.
module InitLab.Tests.SuiteRunner

open Expecto
open Expecto.Impl

/// Prefix of the lines that name a skipped test and its reason.
let skippedPrefix = "SKIPPED "

let private printSkipped (summary: TestRunSummary) =
    for flat, result in summary.ignored do
        let reason =
            match result.result with
            | Ignored reason -> reason
            | other -> string other
        printfn "%s%s: %s" skippedPrefix (String.concat "." flat.name) (reason.ReplaceLineEndings " ")

/// Runs every test of the entry assembly with the command-line arguments.
let run (argv: string[]) =
    FsCheckSeed.announce ()
    runTestsInAssemblyWithCLIArgs [ Append_Summary_Handler(SummaryHandler printSkipped) ] argv
