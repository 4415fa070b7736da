using System.Text.Json;
using System.Text.Json.Serialization;

namespace InitLab.Training;

/// <summary>
/// The trainer's per-epoch records: finished epochs and the running sums of the one in progress. Both go into
/// each checkpoint, so a resumed run (even one stopped mid-epoch) reports every epoch with the values an
/// uninterrupted run reports (the loss sum continues in the same order, bit for bit).
/// </summary>
sealed class EpochLog(int perEpoch)
{
    /// <summary>Checkpoint metadata key of the records.</summary>
    public const string MetadataKey = "trainer.epochs";

    static readonly JsonSerializerOptions Json = new() { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    readonly List<TrainingEpoch> done = [];
    double lossSum, seconds;
    int batches;

    /// <summary>Finished epochs so far.</summary>
    public IReadOnlyList<TrainingEpoch> Done => done;

    /// <summary>Adds one step's loss and training time; returns true when it completed an epoch.</summary>
    public bool Add(double loss, double stepSeconds)
    {
        lossSum += loss;
        seconds += stepSeconds;
        batches++;
        return batches == perEpoch;
    }

    /// <summary>Closes the epoch in progress at <paramref name="iteration"/> (no-op when it has no batch).</summary>
    public TrainingEpoch? Close(int iteration, Evaluation? evaluation, Evaluation? trainEvaluation)
    {
        if (batches == 0) return null;
        var record = new TrainingEpoch(done.Count + 1, iteration, batches, lossSum / batches, seconds)
        {
            Evaluation = evaluation,
            TrainEvaluation = trainEvaluation,
        };
        done.Add(record);
        (lossSum, seconds, batches) = (0, 0, 0);
        return record;
    }

    /// <summary>The finished epochs and, when the run ended mid-epoch, the partial last one with the evaluations at its end.</summary>
    public IReadOnlyList<TrainingEpoch> All(int iteration, Evaluation? evaluation, Evaluation? trainEvaluation) =>
        batches == 0 ? [.. done]
            : [.. done, new TrainingEpoch(done.Count + 1, iteration, batches, lossSum / batches, seconds) { Evaluation = evaluation, TrainEvaluation = trainEvaluation }];

    sealed record State(List<TrainingEpoch> Done, double LossSum, double Seconds, int Batches);

    /// <summary>The records as checkpoint metadata.</summary>
    public string Save() => JsonSerializer.Serialize(new State(done, lossSum, seconds, batches), Json);

    /// <summary>
    /// Restores records saved at iteration <paramref name="start"/>; records that do not add up to it (an older
    /// checkpoint, or one written under another epoch length) are dropped: the epochs before the resume are then
    /// not reported, and the one in progress counts from the resume.
    /// </summary>
    public void Restore(IReadOnlyDictionary<string, string>? metadata, int start, string source)
    {
        done.Clear();
        (lossSum, seconds, batches) = (0, 0, 0);
        if (metadata is null || !metadata.TryGetValue(MetadataKey, out var text)) return;
        State? state;
        try
        {
            state = JsonSerializer.Deserialize<State>(text, Json);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{source}: metadata '{MetadataKey}' is not a record of epochs ({e.Message})", e);
        }
        if (state?.Done is null || state.Done.Count != start / perEpoch || state.Batches != start % perEpoch) return;
        done.AddRange(state.Done);
        (lossSum, seconds, batches) = (state.LossSum, state.Seconds, state.Batches);
    }
}
