using InitLab.Data;
using InitLab.Training;

namespace InitLab.Studies;

/// <summary>
/// A study as one typed record, as a Caffe prototxt pair states a net and its solver: the network,
/// the solver's numbers, the data and the seeds. The configuration stored with each run
/// (<see cref="ArmConfigJson"/>) and the report's configuration table (<see cref="ConfigurationRows"/>)
/// are generated from it, so the numbers are written once.
/// </summary>
public sealed record StudyConfig
{
    /// <summary>Study name; its runs are grouped under it in the run store.</summary>
    public required string Name { get; init; }

    /// <summary>The network and its initialiser.</summary>
    public required NetConfig Net { get; init; }

    /// <summary>Update rule, rate policy, iterations, batch and test schedule.</summary>
    public required SolverConfig Solver { get; init; }

    /// <summary>Data sets, pixel scale, order and split.</summary>
    public required DataConfig Data { get; init; }

    /// <summary>Seeds of the initial weights, one per model of each data set.</summary>
    public required IReadOnlyList<int> Seeds { get; init; }

    /// <summary>Kernel worker threads (part of the configuration: results are bit-identical for a given count).</summary>
    public required int Threads { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first impossible field.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Name)) throw new ArgumentException("study name is empty");
        if (Net is null || Solver is null || Data is null) throw new ArgumentException($"study '{Name}': net, solver and data are all required");
        if (Seeds is null || Seeds.Count == 0) throw new ArgumentException($"study '{Name}': seeds are missing");
        if (Seeds.Distinct().Count() != Seeds.Count) throw new ArgumentException($"study '{Name}': seeds repeat ({string.Join(", ", Seeds)})");
        try
        {
            Net.Validate();
            Solver.Validate();
            Data.Validate();
            Options().Validate();
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"study '{Name}': {e.Message}", e);
        }
    }

    TrainingOptions Options()
    {
        var o = new TrainingOptions
        {
            Iterations = Solver.MaxIter,
            BatchSize = Solver.Batch,
            TestInterval = Solver.TestInterval,
            Shuffle = Data.Shuffle,
            Scale = Data.Scale,
            Threads = Threads,
        };
        if (Data.ShuffleSeed is int seed) o = o with { DataSeed = seed };
        if (Solver.TestBatch is int testBatch) o = o with { TestBatchSize = testBatch };
        return o;
    }

    /// <summary>The trainer's options for this study (iterations, batches, test schedule, data order, scale, threads).</summary>
    public TrainingOptions ToTrainingOptions()
    {
        Validate();
        return Options();
    }

    /// <summary>The whole study as JSON (snake_case names as in Caffe's prototxt; unset numbers left out).</summary>
    public string ToJson()
    {
        Validate();
        return StudyConfigJson.Serialize(this);
    }

    /// <summary>The study <see cref="ToJson"/> wrote, read back and validated (a sweep worker's copy of the script's record).</summary>
    /// <exception cref="ArgumentException">Malformed JSON, a missing field or an impossible value (the message names it).</exception>
    public static StudyConfig FromJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        StudyConfig study;
        try
        {
            study = StudyConfigJson.Deserialize(json);
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new ArgumentException($"the study config is malformed ({e.Message})", e);
        }
        study.Validate();
        return study;
    }

    /// <summary>
    /// The configuration stored with one arm's run, and compared to find a finished run to reuse: the
    /// study without its list of seeds (so adding a seed retrains only the new arms), with the arm's
    /// name, its seed and the identity (name, count, fingerprint) of the sets it trains and tests on.
    /// </summary>
    public string ArmConfigJson(string armName, int seed, DataSet train, DataSet? test)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(armName);
        ArgumentNullException.ThrowIfNull(train);
        Validate();
        return StudyConfigJson.SerializeArm(this, armName, seed, train, test);
    }

    /// <summary>What the study runner trains for one arm: the generated config, the solver's spec text and the options.</summary>
    public ArmSpec Arm(string armName, int seed, DataSet train, DataSet? test) =>
        new(Name, armName, ArmConfigJson(armName, seed, train, test), seed, Solver.ToSpecText(), Options());

    /// <summary>
    /// The report's configuration table: every field of <see cref="ToJson"/> as a (dotted key, value) row,
    /// then the optimiser spec the Kernel reads from the solver's numbers.
    /// </summary>
    public IReadOnlyList<(string Key, string Value)> ConfigurationRows()
    {
        var rows = StudyConfigJson.Rows(ToJson()).ToList();
        rows.Add(("solver as the Kernel reads it", Solver.ToSpecText()));
        return rows;
    }
}
