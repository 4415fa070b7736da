module InitLab.Host.Tests.Training.TrainCommandTests

open System
open System.IO
open Expecto
open InitLab.Store
open InitLab.Host.Tests.Store.StoreTestSupport

/// Runs `initlab args` in-process, capturing standard error.
let run (args: string[]) =
    let err = new StringWriter()
    let out = new StringWriter()
    let oldErr, oldOut = Console.Error, Console.Out
    Console.SetError err
    Console.SetOut out
    try
        let code = InitLab.Cli.Program.Main args
        code, out.ToString(), err.ToString()
    finally
        Console.SetError oldErr
        Console.SetOut oldOut

[<Tests>]
let tests =
    testSequenced <| testList "training.cli" [
        test "impossible options exit with 2 and name the option" {
            for args, fragment in [ [| "train"; "--iterations"; "0" |], "--iterations"
                                    [| "train"; "--model"; "vgg" |], "vgg"
                                    [| "train"; "--scale"; "3" |], "--scale '3'"
                                    [| "train"; "--bogus"; "1" |], "--bogus"
                                    [| "train"; "--solver"; "sgd:2.0" |], "2"
                                    [| "train"; "--policy"; "inv:abc:0.75" |], "abc"
                                    [| "train"; "--lr"; "-1" |], "-1"
                                    [| "train"; "--solver"; "adam"; "--lr"; "0.1" |], "not both" ] do
                let code, _, err = run args
                Expect.equal code 2 $"exit code for {String.Join(' ', args)}"
                Expect.stringContains err fragment "the message names the problem"
        }
        test "a short run on synthetic digits is recorded in the store" {
            use dir = new TempDir()
            let store = dir.File "runs.db"
            let code, out, err =
                run [| "train"; "--data"; "synthetic"; "--iterations"; "20"; "--batch"; "16"; "--store"; store; "--quiet"
                       "--optimizer"; "sgd:0.9"; "--lr"; "0.01"; "--policy"; "inv:1e-4:0.75" |]
            Expect.equal code 0 $"exit code (stderr: {err})"
            Expect.stringContains out "test accuracy" "prints the result"
            use s = RunStore.Open store
            let runs = s.GetRuns "cli"
            Expect.equal runs.Count 1 "one run"
            Expect.equal runs[0].Status RunStatus.Finished "finished"
            Expect.equal (s.GetMetrics(runs[0].Id, "train/loss").Count) 20 "a loss per iteration"
        }
    ]
