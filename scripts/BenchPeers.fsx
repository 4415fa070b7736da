// The peers of scripts/bench.fsx: a benchmark of ../shared/bench run with python3, read for its "N unit" figure.
module BenchPeers

open System
open System.Diagnostics

/// Runs ../shared/bench/`script` with `args` and reads its "N unit" figure; None when it cannot run.
/// OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE are unset for the peer: this machine sets them and they halve
/// PyTorch's speed, and the peer gets its best.
let run (script: string) (args: string list) (unit: string) =
    let psi = ProcessStartInfo("/usr/bin/python3", UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true)
    // ../shared/bench beside the repository, found upwards (a worktree may sit deeper than the main checkout)
    let rec benchDir (d: IO.DirectoryInfo) =
        if isNull d then IO.Path.Combine(__SOURCE_DIRECTORY__, "..", "..", "shared", "bench")
        elif IO.Directory.Exists(IO.Path.Combine(d.FullName, "shared", "bench")) then IO.Path.Combine(d.FullName, "shared", "bench")
        else benchDir d.Parent
    for a in IO.Path.Combine(benchDir (IO.DirectoryInfo(__SOURCE_DIRECTORY__)), script) :: args do psi.ArgumentList.Add a
    for v in [ "OPENBLAS_CORETYPE"; "OPENBLAS_L2_SIZE" ] do psi.Environment.Remove v |> ignore
    try
        use p = Process.Start psi
        let err = p.StandardError.ReadToEndAsync()
        let out = p.StandardOutput.ReadToEnd()
        p.WaitForExit()
        err.Wait()
        let m = Text.RegularExpressions.Regex.Match(out, @"([0-9.]+) " + Text.RegularExpressions.Regex.Escape unit)
        if p.ExitCode = 0 && m.Success then Some(float m.Groups[1].Value) else None
    with _ -> None

/// Prints our figure beside the peer's, or says how to install the peer.
let report (name: string) (ours: float) (peer: float option) =
    match peer with
    | Some t -> printfn "%s=%.0f ratio_ours_over_torch=%.2f" name t (ours / t)
    | None -> printfn "%s=unavailable (apt-get install python3-torch libopenblas0-pthread)" name
