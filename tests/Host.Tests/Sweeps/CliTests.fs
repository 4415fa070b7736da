module InitLab.Host.Tests.Sweeps.CliTests

open System
open System.CommandLine
open System.IO
open Expecto
open InitLab.Host.Tests.Store.StoreTestSupport
open InitLab.Host.Tests.Sweeps.SweepTestSupport

/// Every command of the tree with its path, e.g. ["sweep"; "run"].
let rec commands (path: string list) (c: Command) =
    seq {
        yield path, c
        for sub in c.Subcommands do yield! commands (path @ [ sub.Name ]) sub
    }

[<Tests>]
let tests =
    testSequenced <| testList "cli" [
        test "every option of every command is in its --help with its default" {
            for path, c in commands [] (InitLab.Cli.Program.Root()) do
                let code, out, err = runCli (path @ [ "--help" ])
                Expect.equal code 0 $"initlab {String.Join(' ', path)} --help (stderr: {err})"
                for o in c.Options do
                    if o.Name <> "--help" && o.Name <> "-h" && o.Name <> "--version" then
                        let line = out.Split('\n') |> Array.tryFind (fun l -> l.TrimStart().StartsWith o.Name)
                        Expect.isSome line $"{o.Name} is in the help of '{String.Join(' ', path)}'"
                        let described = o.HasDefaultValue || (o.Description |> isNull |> not && (o.Description.Contains "default" || o.Description.Contains "required"))
                        Expect.isTrue described $"{o.Name} of '{String.Join(' ', path)}' states its default"
                        // flags say "(default: off)" in words; every other default is the library's "[default: …]"
                        if o.ValueType = typeof<bool> then Expect.stringContains line.Value "(default: off)" $"{o.Name} says it is off by default"
                        elif o.HasDefaultValue then Expect.stringContains line.Value "[default:" $"{o.Name} shows its default value"
        }
        test "unknown commands and options exit with 2 and name the word, with a suggestion" {
            let code, _, err = runCli [ "sweep"; "rnu" ]
            Expect.equal code 2 "unknown verb"
            Expect.stringContains err "rnu" "names it"
            let code, _, err = runCli [ "runs"; "list"; "--stroe"; "x" ]
            Expect.equal code 2 "unknown option"
            Expect.stringContains err "--stroe" "names it"
            let code, _, _ = runCli []
            Expect.equal code 2 "no command"
        }
        test "the CLI packs as a .NET tool and installs from the local package" {
            match repoRoot () with
            | None -> skiptest "the repository (Mixed.sln) is not above the test's folder; cannot pack Host/Cli"
            | Some root ->
                use dir = new TempDir()
                let feed = Path.Combine(dir.Path, "feed")
                let tools = Path.Combine(dir.Path, "tools")
                let code, out, err =
                    finish 600_000 (startDotnet [ "pack"; Path.Combine(root, "Host", "Cli", "Cli.csproj"); "-c"; "Release"; "--no-build"; "-o"; feed; "-v"; "q"; "--nologo" ])
                Expect.equal code 0 $"dotnet pack (stdout: {out} stderr: {err})"
                Expect.isNonEmpty (Directory.GetFiles(feed, "InitLab.Cli.*.nupkg")) "a package"
                let code, out, err =
                    finish 600_000 (startDotnet [ "tool"; "install"; "--tool-path"; tools; "--add-source"; feed; "InitLab.Cli" ])
                Expect.equal code 0 $"dotnet tool install (stdout: {out} stderr: {err})"
                let psi = Diagnostics.ProcessStartInfo(Path.Combine(tools, "initlab"), "sweep --help", UseShellExecute = false,
                                                      RedirectStandardOutput = true, RedirectStandardError = true)
                let code, out, err = finish 120_000 (Diagnostics.Process.Start psi)
                Expect.equal code 0 $"the installed initlab runs (stderr: {err})"
                Expect.stringContains out "submit" "and lists the sweep verbs"
        }
    ]
