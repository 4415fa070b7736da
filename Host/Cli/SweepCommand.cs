using System.CommandLine;
using System.Globalization;
using InitLab.Sweeps;
using Spectre.Console;

namespace InitLab.Cli;

/// <summary>
/// <c>initlab sweep plan | run | submit | status</c>: a study's arms × seeds as indexed, idempotent
/// tasks, run one at a time, on a local process pool, as a Slurm job array or a Kubernetes Indexed Job.
/// </summary>
public static class SweepCommand
{
    /// <summary>The <c>sweep</c> command and its verbs.</summary>
    public static Command Create()
    {
        var sweep = new Command("sweep", "Sweeps: a study's arms × seeds as indexed tasks, run locally or on a cluster");
        sweep.Subcommands.Add(Plan());
        sweep.Subcommands.Add(RunCommand());
        sweep.Subcommands.Add(Submit());
        sweep.Subcommands.Add(Status());
        return sweep;
    }

    static Option<string> Manifest() => new("--manifest") { Description = "Sweep manifest written by 'sweep plan' (required)", HelpName = "FILE", Required = true };

    static Command Plan()
    {
        var arms = new Option<string>("--arms") { Description = "JSON file of the study's arms: {\"study\", \"seeds\", \"arms\": [{\"name\", \"config\", \"seeds\"}]} (required)", HelpName = "FILE", Required = true };
        var study = new Option<string>("--study") { Description = "Study name (default: the arms file's \"study\")", HelpName = "S" };
        var seeds = new Option<string>("--seeds") { Description = "Seeds of arms that name none, e.g. 1,2,3 (default: the arms file's \"seeds\")", HelpName = "LIST" };
        var output = new Option<string>("--out") { Description = "Manifest to write (default: sweep.json)", HelpName = "FILE", DefaultValueFactory = _ => "sweep.json" };
        var command = new Command("plan", "Expand arms × seeds into a manifest of tasks; print the task count and an estimated cost") { arms, study, seeds, output };
        command.SetAction(r =>
        {
            IReadOnlyList<int>? seedList = r.GetValue(seeds) is { } text ? ParseSeeds(text) : null;
            var manifest = SweepArmsFile.Load(r.GetValue(arms)!, r.GetValue(study), seedList).Plan(r.GetValue(output)!);
            Console.WriteLine($"wrote {manifest.Path}: {manifest.Describe()}");
            Console.WriteLine($"manifest hash {manifest.Hash}");
            return ExitCodes.Ok;
        });
        return command;
    }

    static Command RunCommand()
    {
        var manifest = Manifest();
        var index = new Option<int?>("--task-index") { Description = "Run only this task (0-based; e.g. $SLURM_ARRAY_TASK_ID) (default: all tasks, on the local pool)", HelpName = "I" };
        var workers = CliOptions.Int("--workers", "Worker processes of the local pool, each running one task at a time", 1, 1);
        var threads = CliOptions.Int("--threads", "Kernel threads per task (0: cores ÷ workers); workers × threads must fit the cores", 0, 0);
        var store = CliOptions.Store();
        var dataRoot = CliOptions.DataRoot();
        var quiet = CliOptions.Flag("--quiet", "No progress display");
        var command = new Command("run", "Run one task (--task-index) or every unfinished task on a local process pool (--workers); finished tasks are skipped, interrupted ones resumed")
            { manifest, index, workers, threads, store, dataRoot, quiet };
        command.SetAction(r =>
        {
            var m = SweepManifest.Load(r.GetValue(manifest)!);
            var storeValue = Sweep.StoreArgument(CliOptions.StoreValue(r, store));
            if (r.GetValue(index) is { } i)
            {
                if (r.GetResult(workers) is { Implicit: false }) throw new ArgumentException("give either --task-index or --workers, not both");
                m.Task(i); // out of range fails before the store is touched
                int t = r.GetValue(threads) is > 0 and var n ? n : Math.Min(2, Environment.ProcessorCount);
                using var s = SweepStores.Open(storeValue);
                var outcome = TaskExecutor.Run(m, i, s, new TaskRunOptions(t, r.GetValue(dataRoot), r.GetValue(quiet)));
                (outcome.Ok ? Console.Out : Console.Error).WriteLine(outcome.Message);
                return outcome.Ok ? ExitCodes.Ok : ExitCodes.Failure;
            }
            var outcomes = LocalPool.Run(m, new LocalPoolOptions(r.GetValue(workers), storeValue, r.GetValue(threads), r.GetValue(dataRoot)));
            int failed = outcomes.Count(o => !o.Ok);
            Console.WriteLine($"{outcomes.Count - failed} of {outcomes.Count} task(s) done" + (failed > 0 ? $", {failed} failed (rerun to resume them)" : ""));
            return failed > 0 ? ExitCodes.Failure : ExitCodes.Ok;
        });
        return command;
    }

    static Command Submit()
    {
        var manifest = Manifest();
        var slurm = CliOptions.Flag("--slurm", "Write an sbatch job-array script and submit it with sbatch");
        var scriptOnly = CliOptions.Flag("--script-only", "With --slurm: write the script, do not submit it");
        var kubernetes = new Option<string>("--kubernetes") { Description = "Write a Kubernetes Indexed Job manifest (YAML) to FILE (default: none)", HelpName = "FILE" };
        var image = new Option<string>("--image") { Description = "Container image holding initlab, for --kubernetes (default: initlab:latest)", HelpName = "IMAGE", DefaultValueFactory = _ => "initlab:latest" };
        var partition = new Option<string>("--partition") { Description = "Slurm partition (default: the cluster's default)", HelpName = "P" };
        var time = new Option<string>("--time") { Description = "Time limit per task, e.g. 01:00:00 (default: the partition's)", HelpName = "T" };
        var maxParallel = CliOptions.Int("--max-parallel", "Tasks running at once: --array=0-(n-1)%K, or the Job's parallelism (0: no limit; Kubernetes: 1)", 0, 0, "K");
        var threads = CliOptions.Int("--threads", "Kernel threads (and CPUs) per task", 1, 1);
        var memory = new Option<string>("--mem") { Description = "Memory per task, e.g. 2G (default: the cluster's)", HelpName = "M" };
        var account = new Option<string>("--account") { Description = "Slurm account (default: none)", HelpName = "A" };
        var store = CliOptions.Store();
        var dataRoot = CliOptions.DataRoot();
        var command = new Command("submit", "Hand the sweep to a cluster: a Slurm job array (SLURM_ARRAY_TASK_ID → --task-index) or a Kubernetes Indexed Job (JOB_COMPLETION_INDEX)")
            { manifest, slurm, scriptOnly, kubernetes, image, partition, time, maxParallel, threads, memory, account, store, dataRoot };
        command.SetAction(r =>
        {
            var m = SweepManifest.Load(r.GetValue(manifest)!);
            var storeValue = Sweep.StoreArgument(CliOptions.StoreValue(r, store));
            if (!r.GetValue(slurm) && r.GetValue(kubernetes) is null) throw new ArgumentException("give --slurm or --kubernetes FILE");
            if (r.GetValue(kubernetes) is { } yamlPath)
            {
                File.WriteAllText(yamlPath, KubernetesJob.Yaml(m, r.GetValue(image)!, storeValue, Math.Max(1, r.GetValue(maxParallel)), r.GetValue(threads), r.GetValue(dataRoot)));
                Console.WriteLine($"wrote Kubernetes Indexed Job {Path.GetFullPath(yamlPath)} ({m.Tasks.Count} completions)");
            }
            if (!r.GetValue(slurm)) return ExitCodes.Ok;
            var options = new SlurmOptions(storeValue, r.GetValue(partition), r.GetValue(time), r.GetValue(maxParallel), r.GetValue(threads),
                r.GetValue(memory), r.GetValue(account), r.GetValue(dataRoot));
            var script = SlurmSubmission.WriteScript(m, options);
            Console.WriteLine($"wrote {script}");
            if (r.GetValue(scriptOnly)) return ExitCodes.Ok;
            var job = SlurmSubmission.Submit(m, script);
            Console.WriteLine($"submitted job {job}: {m.Tasks.Count} array task(s); follow with: initlab sweep status --manifest {m.Path}");
            return ExitCodes.Ok;
        });
        return command;
    }

    static Command Status()
    {
        var manifest = Manifest();
        var store = CliOptions.Store();
        var command = new Command("status", "Done / running / interrupted / failed / pending per task, from the store (and squeue/sacct where Slurm is present)") { manifest, store };
        command.SetAction(r =>
        {
            var m = SweepManifest.Load(r.GetValue(manifest)!);
            var storeValue = Sweep.StoreArgument(CliOptions.StoreValue(r, store));
            // status only reads: a store that does not exist yet is not created
            if (!SweepStores.IsConnectionString(storeValue) && !File.Exists(storeValue))
                throw new StoreUnavailableException(storeValue, "no such store yet (no task has run against it); give --store or set INITLAB_STORE");
            using var s = SweepStores.Open(storeValue);
            var rows = SweepStatus.Of(m, s, SlurmQueue.States(m));
            var table = new Table().Border(TableBorder.Rounded).AddColumns("Task", "Arm", "Seed", "State", "Run", "Slurm", "Message");
            foreach (var row in rows)
                table.AddRow(new Text(row.Task.Index.ToString(CultureInfo.InvariantCulture)), new Text(row.Task.Arm),
                    new Text(row.Task.Config.Seed.ToString(CultureInfo.InvariantCulture)), new Text(row.State.ToString().ToLowerInvariant()),
                    new Text(row.RunId?.ToString(CultureInfo.InvariantCulture) ?? "-"), new Text(row.Scheduler ?? "-"), new Text(row.Message ?? ""));
            AnsiConsole.Write(table);
            Console.WriteLine(string.Join(", ", Enum.GetValues<TaskState>().Select(st => $"{rows.Count(x => x.State == st)} {st.ToString().ToLowerInvariant()}")));
            return ExitCodes.Ok;
        });
        return command;
    }

    static int[] ParseSeeds(string text)
    {
        var parts = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var seeds = new int[parts.Length];
        for (var i = 0; i < parts.Length; i++)
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out seeds[i]))
                throw new ArgumentException($"--seeds '{text}': '{parts[i]}' is not a whole number ≥ 0");
        return seeds.Length > 0 ? seeds : throw new ArgumentException($"--seeds '{text}' names no seed");
    }
}
