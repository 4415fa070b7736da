module InitLab.Host.Tests.Sweeps.SlurmTests

open System
open System.Diagnostics
open System.IO
open Expecto
open InitLab.Store
open InitLab.Sweeps
open InitLab.Host.Tests.Store.StoreTestSupport
open InitLab.Host.Tests.Sweeps.SweepTestSupport

/// Runs tests/services/slurm.sh VERB DIR; returns exit code, stdout, stderr.
let slurmScript (root: string) (verb: string) (dir: string) =
    let psi = ProcessStartInfo("bash", UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true)
    for a in [ Path.Combine(root, "tests", "services", "slurm.sh"); verb; dir ] do psi.ArgumentList.Add a
    finish 1_200_000 (Process.Start psi)

[<Tests>]
let tests =
    testSequenced <| testList "sweeps.slurm" [
        test "a real 4-task job array on a private one-node Slurm fills the store" {
            match repoRoot () with
            | None -> skiptest "the repository is not above the test's folder; tests/services/slurm.sh is not reachable"
            | Some root ->
                // short path: Slurm and munge keep sockets there
                let dir = Path.Combine("/tmp", "initlab-slurm-" + Guid.NewGuid().ToString("N").Substring(0, 8))
                Directory.CreateDirectory dir |> ignore
                let cluster = Path.Combine(dir, "cluster")
                try
                    let code, out, err = slurmScript root "start" cluster
                    if code = 77 then skiptest (err.Trim().Split('\n') |> Array.last)
                    Expect.equal code 0 $"slurm.sh start (stdout: {out} stderr: {err})"
                    let conf = Path.Combine(cluster, "slurm.conf")
                    let path = Path.Combine(dir, "sweep.json")
                    let m = (tinySweep "slurm" 2 [ 1; 2 ]).Plan(path)
                    let store = Path.Combine(dir, "runs.db")
                    let env = [ "SLURM_CONF", conf ]
                    let code, out, err =
                        finish 120_000 (startCli env [ "sweep"; "submit"; "--slurm"; "--manifest"; path; "--store"; store; "--max-parallel"; "2"; "--time"; "00:10:00" ])
                    Expect.equal code 0 $"submit (stdout: {out} stderr: {err})"
                    Expect.stringContains out "submitted job" "sbatch took it"
                    let finished () =
                        File.Exists store
                        && (use s = RunStore.Open store
                            s.GetRuns "slurm" |> Seq.filter (fun r -> r.Status = RunStatus.Finished) |> Seq.length) = 4
                    let ok = waitFor 300_000 finished
                    let logs =
                        let d = Path.Combine(m.WorkDirectory, "slurm")
                        if Directory.Exists d then [ for f in Directory.GetFiles d -> File.ReadAllText f ] |> String.concat "\n" else "(no logs)"
                    Expect.isTrue ok $"4 finished runs within 5 minutes (task logs: {logs})"
                    let code, out, _ = finish 60_000 (startCli env [ "sweep"; "status"; "--manifest"; path; "--store"; store ])
                    Expect.equal code 0 "status"
                    Expect.stringContains out "4 done" "status reads the store"
                    use s = RunStore.Open store
                    let hashes = s.GetRuns "slurm" |> Seq.map (fun r -> ConfigHash.OfJson r.ConfigJson) |> Set.ofSeq
                    Expect.equal hashes (m.Tasks |> Seq.map (fun t -> t.ConfigHash) |> Set.ofSeq) "each array task ran its own manifest task"
                finally
                    slurmScript root "stop" cluster |> ignore
                    try Directory.Delete(dir, true) with _ -> ()
        }
    ]
