module InitLab.Host.Tests.Sweeps.SchedulerScriptTests

open System.Collections.Generic
open Expecto
open InitLab.Sweeps
open InitLab.Host.Tests.Store.StoreTestSupport
open InitLab.Host.Tests.Sweeps.SweepTestSupport

[<Tests>]
let tests =
    testList "sweeps.scheduler" [
        test "the sbatch script is one array over the tasks; each array task runs its index" {
            use dir = new TempDir()
            let m = (tinySweep "s" 3 [ 1; 2 ]).Plan(dir.File "sweep.json")
            let worker = WorkerCommand("/opt/initlab dir/initlab", [])
            let script = SlurmSubmission.Script(m, SlurmOptions("/shared/runs.db", Partition = "cpu", Time = "00:30:00", MaxParallel = 4, ThreadsPerTask = 2, Worker = worker))
            Expect.stringContains script $"#SBATCH --array=0-{m.Tasks.Count - 1}%%4" "array 0..n−1, K at once"
            Expect.stringContains script "#SBATCH --partition=cpu" "partition"
            Expect.stringContains script "#SBATCH --time=00:30:00" "time"
            Expect.stringContains script "#SBATCH --cpus-per-task=2" "cpus = threads"
            Expect.stringContains script "exec '/opt/initlab dir/initlab' sweep run" "the worker, quoted for the shell"
            Expect.stringContains script "--task-index \"$SLURM_ARRAY_TASK_ID\" --threads 2 --store /shared/runs.db" "array index → task index"
            let unlimited = SlurmSubmission.Script(m, SlurmOptions("/s.db", Worker = worker))
            Expect.stringContains unlimited $"#SBATCH --array=0-{m.Tasks.Count - 1}\n" "no %%K without --max-parallel"
        }
        test "the Kubernetes Indexed Job has one completion per task and maps JOB_COMPLETION_INDEX to the task" {
            use dir = new TempDir()
            let m = (tinySweep "Lenet Init" 2 [ 1; 2 ]).Plan(dir.File "sweep.json")
            let yaml = KubernetesJob.Yaml(m, "registry/initlab:1", "/shared/runs.db", 3, 1)
            Expect.stringContains yaml "completionMode: Indexed" "indexed"
            Expect.stringContains yaml $"completions: {m.Tasks.Count}" "n completions"
            Expect.stringContains yaml "parallelism: 3" "parallelism"
            Expect.stringContains yaml "name: initlab-lenet-init" "a DNS-safe name"
            Expect.stringContains yaml "--task-index \\\"$JOB_COMPLETION_INDEX\\\"" "completion index → task index"
            Expect.stringContains yaml m.Hash "records the manifest hash"
        }
        test "squeue and sacct lines, ranges included, map to task indices" {
            let into = Dictionary<int, string>()
            SlurmQueue.Parse("41_0 RUNNING\n41_[2-4%2] PENDING\n41_7 RUNNING\n41 PENDING", ' ', into, 6)
            Expect.equal (into |> Seq.map (fun kv -> kv.Key, kv.Value) |> Seq.sort |> List.ofSeq)
                [ 0, "running"; 2, "pending"; 3, "pending"; 4, "pending" ] "indices past the manifest and the bare job id are ignored"
            SlurmQueue.Parse("41_1|COMPLETED\n", '|', into, 6)
            Expect.equal into[1] "completed" "sacct's format"
        }
        test "workers × threads must fit the cores" {
            Expect.equal (LocalPool.ThreadsFor(2, 0, 2)) 1 "2 workers on 2 cores: 1 thread each"
            Expect.equal (LocalPool.ThreadsFor(1, 0, 2)) 2 "1 worker: both cores"
            Expect.stringContains (throwsOf<System.ArgumentException> (fun () -> LocalPool.ThreadsFor(2, 2, 2) |> ignore)).Message "exceeds the 2 cores" "2 × 2 > 2"
            Expect.stringContains (throwsOf<System.ArgumentException> (fun () -> LocalPool.ThreadsFor(3, 0, 2) |> ignore)).Message "--workers 3" "more workers than cores"
        }
    ]
