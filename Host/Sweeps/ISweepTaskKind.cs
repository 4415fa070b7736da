using InitLab.Store;

namespace InitLab.Sweeps;

/// <summary>
/// A kind of sweep task: how a task whose config names this kind (<see cref="TaskConfig.Kind"/>) is checked
/// and trained. The built-in LeNet trainer (<see cref="TaskRunner"/>) serves configs without a kind; a study
/// adds its own arm runner by implementing this interface in a public class with a parameterless
/// constructor (found by <see cref="SweepTaskKinds"/>, so worker processes know it too).
/// </summary>
public interface ISweepTaskKind
{
    /// <summary>The name a config's <c>kind</c> gives, e.g. "paper001-arm".</summary>
    string Name { get; }

    /// <summary>Throws <see cref="ArgumentException"/> naming <paramref name="where"/> and the first impossible field of <paramref name="config"/>.</summary>
    void Validate(TaskConfig config, string where);

    /// <summary>Loads what <paramref name="task"/> needs before anything is recorded (bad data fails here).</summary>
    IPreparedSweepTask Prepare(SweepTask task, TaskRunOptions options);
}

/// <summary>A task of some <see cref="ISweepTaskKind"/>, ready to train.</summary>
public interface IPreparedSweepTask
{
    /// <summary>Fingerprint of the data the task trains and is scored on, recorded with its run.</summary>
    string DataFingerprint { get; }

    /// <summary>
    /// Trains into run <paramref name="runId"/> of <paramref name="store"/> (already begun by the executor, which
    /// finishes or fails it), continuing from <paramref name="checkpoint"/> when the kind can and the file exists.
    /// </summary>
    TaskRunner.Outcome Train(RunStore store, long runId, string checkpoint, TaskRunOptions options, PausePoint? pause);
}
