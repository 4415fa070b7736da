using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace InitLab.Sweeps;

/// <summary>
/// Everything that decides what one sweep task trains; its canonical JSON is hashed into the task's
/// config hash, so two tasks with equal configs are the same run. Machine details (data root, thread
/// count, store) are not part of it.
/// </summary>
public sealed record TaskConfig
{
    /// <summary>
    /// Task kind (<see cref="ISweepTaskKind.Name"/>): null for the built-in LeNet trainer, whose fields follow;
    /// another kind reads its arm from <see cref="Arm"/>. Left out of the JSON when null, so LeNet hashes stay.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Kind { get; init; }

    /// <summary>The arm of a task of another <see cref="Kind"/>, as that kind's JSON (null for LeNet tasks).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public JsonObject? Arm { get; init; }

    /// <summary>Network name (see <c>Models.Names</c>): lenet5, twolayer or paper001-lenet.</summary>
    public string Model { get; init; } = "lenet5";

    /// <summary>Training data: mnist, chars74k or synthetic.</summary>
    public string Data { get; init; } = "mnist";

    /// <summary>Invert pixel polarity (paper 000 inverts MNIST).</summary>
    public bool Invert { get; init; }

    /// <summary>Weight initialiser (e.g. xavier, msra, gaussian:0.01); null: the model's own.</summary>
    public string? Init { get; init; }

    /// <summary>Optimiser spec, e.g. "sgd:0.9 lr=0.01 wd=5e-4 policy=inv:1e-4:0.75" or caffe-lenet.</summary>
    public string Solver { get; init; } = "caffe-lenet";

    /// <summary>Mini-batch size.</summary>
    public int Batch { get; init; } = 64;

    /// <summary>Training iterations.</summary>
    public int Iterations { get; init; } = 1000;

    /// <summary>Initialisation seed; a sweep sets it per task from its arm's seeds.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Shuffle seed.</summary>
    public int DataSeed { get; init; } = 1;

    /// <summary>Pixel scale denominator: 256 (Caffe) or 255.</summary>
    public int Scale { get; init; } = 256;

    /// <summary>Evaluate every this many iterations (0: only at the end).</summary>
    public int TestInterval { get; init; }

    /// <summary>Checkpoint every this many iterations (0: a tenth of the run, at least 1).</summary>
    public int CheckpointInterval { get; init; }

    /// <summary>Training images of the synthetic set (data = synthetic only).</summary>
    public int SyntheticTrain { get; init; } = 6000;

    /// <summary>Test images of the synthetic set (data = synthetic only).</summary>
    public int SyntheticTest { get; init; } = 1000;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first impossible field.</summary>
    public void Validate(string where)
    {
        static void Need(bool ok, string message) { if (!ok) throw new ArgumentException(message); }
        Need(Seed >= 0, $"{where}: seed must be ≥ 0, got {Seed}");
        if (SweepTaskKinds.Find(Kind) is { } kind)
        {
            kind.Validate(this, where);
            return;
        }
        Need(Kernel.Nn.Models.Names.Contains(Model), $"{where}: model '{Model}' is not one of {string.Join(", ", Kernel.Nn.Models.Names)}");
        Need(Data is "mnist" or "chars74k" or "synthetic", $"{where}: data '{Data}' is not one of mnist, chars74k, synthetic");
        Need(!string.IsNullOrWhiteSpace(Solver), $"{where}: solver is empty");
        Need(Batch >= 1, $"{where}: batch must be ≥ 1, got {Batch}");
        Need(Iterations >= 1, $"{where}: iterations must be ≥ 1, got {Iterations}");
        Need(DataSeed >= 0, $"{where}: dataSeed must be ≥ 0, got {DataSeed}");
        Need(Scale is 255 or 256, $"{where}: scale must be 255 or 256, got {Scale}");
        Need(TestInterval >= 0, $"{where}: testInterval must be ≥ 0, got {TestInterval}");
        Need(CheckpointInterval >= 0, $"{where}: checkpointInterval must be ≥ 0, got {CheckpointInterval}");
        Need(SyntheticTrain >= 1 && SyntheticTest >= 1, $"{where}: synthetic set sizes must be ≥ 1, got {SyntheticTrain}/{SyntheticTest}");
    }

    /// <summary>This config with another seed (for F#, which has no <c>with</c> on C# records).</summary>
    public TaskConfig WithSeed(int seed) => this with { Seed = seed };

    /// <summary>The checkpoint interval the runner uses.</summary>
    public int EffectiveCheckpointInterval => CheckpointInterval > 0 ? CheckpointInterval : Math.Max(1, Iterations / 10);
}
