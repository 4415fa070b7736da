using InitLab.Data;
using InitLab.Kernel;
using InitLab.Kernel.Nn;
using InitLab.Store;
using InitLab.Training;

namespace InitLab.Sweeps;

/// <summary>
/// The one place sweeps touch the trainer (Host/Training): builds the network and trainer a task's
/// config names and trains it, resuming from its checkpoint when one exists.
/// </summary>
public static class TaskRunner
{
    /// <summary>A task with its data loaded, ready to train.</summary>
    public sealed record Prepared(SweepTask Task, DataSet Train, DataSet Test)
    {
        /// <summary>Fingerprint of the training and test data, recorded with the run.</summary>
        public string DataFingerprint => Train.Fingerprint + "+" + Test.Fingerprint;
    }

    /// <summary>What training produced.</summary>
    public sealed record Outcome(int ResumedFrom, int Iterations, double? FinalLoss, double? TestAccuracy, double Seconds, double ImagesPerSecond);

    /// <summary>Loads the task's data and checks its solver and network names before anything is recorded.</summary>
    public static Prepared Prepare(SweepTask task, string? dataRoot)
    {
        var c = task.Config;
        // an unknown model, initialiser or solver fails here, before the run is recorded
        _ = new Trainer(Models.Create(c.Model, new Generator(c.Seed), c.Init), c.Solver, new TrainingOptions { Iterations = c.Iterations, BatchSize = c.Batch });
        var (train, test) = TaskData.Load(c.Data, dataRoot, c.Invert, c.Seed, c.SyntheticTrain, c.SyntheticTest);
        return new Prepared(task, train, test);
    }

    /// <summary>Trains the task into run <paramref name="runId"/>, checkpointing to <paramref name="checkpoint"/> (resumed when it exists).</summary>
    public static Outcome Train(Prepared prepared, RunStore store, long runId, string checkpoint, int threads, bool quiet, PausePoint? pause)
    {
        var c = prepared.Task.Config;
        var options = new TrainingOptions
        {
            Iterations = c.Iterations,
            BatchSize = c.Batch,
            DataSeed = c.DataSeed,
            Threads = threads,
            Scale = c.Scale == 255 ? PixelScale.Unit255 : PixelScale.Caffe256,
            TestInterval = c.TestInterval,
            CheckpointInterval = c.EffectiveCheckpointInterval,
            CheckpointPath = checkpoint,
            Resume = true,
            Progress = quiet ? ProgressMode.Silent : ProgressMode.Auto,
            Label = prepared.Task.RunName,
        };
        var net = Models.Create(c.Model, new Generator(c.Seed), c.Init);
        if (pause is not null && pause.TaskIndex == prepared.Task.Index && pause.Iteration < c.Iterations && !File.Exists(checkpoint))
        {
            // the first leg ends in a checkpoint at the pause iteration, exactly as an interrupted run would leave it
            new Trainer(net, c.Solver, options with { Iterations = pause.Iteration, CheckpointInterval = pause.Iteration })
                .Run(prepared.Train, null, store, runId);
            pause.Wait();
        }
        var result = new Trainer(net, c.Solver, options).Run(prepared.Train, prepared.Test, store, runId);
        return new Outcome(result.ResumedFrom, c.Iterations, result.Losses.Count > 0 ? result.Losses[^1] : null,
            result.Final?.Accuracy, result.Seconds, result.ImagesPerSecond);
    }

    /// <summary>Identifies the code that trains, recorded with each run.</summary>
    public static string CodeVersion() => Studies.StudyRunner.CodeVersion();
}
