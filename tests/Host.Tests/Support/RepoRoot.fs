/// The repository root, for tests that run the scripts: looked up when first needed, not when the suite
/// loads, so the suite runs from anywhere and only those tests are skipped when no repository is found.
module InitLab.Host.Tests.Support.RepoRoot

open System.IO
open Expecto

/// The folder holding Mixed.sln, searched upwards from the test assembly's location.
let repoRoot : Lazy<string option> =
    lazy
        let rec up (d: DirectoryInfo) =
            if isNull d then None
            elif File.Exists(Path.Combine(d.FullName, "Mixed.sln")) then Some d.FullName
            else up d.Parent
        up (DirectoryInfo(Path.GetDirectoryName(System.Reflection.Assembly.GetExecutingAssembly().Location)))

/// The repository root, or the test is skipped saying where it was looked for.
let requireRepoRoot () =
    match repoRoot.Value with
    | Some root -> root
    | None ->
        skiptestf "no repository (Mixed.sln) above the test assembly %s; this test runs the repository's scripts"
            (System.Reflection.Assembly.GetExecutingAssembly().Location)
