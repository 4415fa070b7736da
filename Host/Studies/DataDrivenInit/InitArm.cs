using System.Globalization;

namespace InitLab.Studies;

/// <summary>How an arm's network starts.</summary>
public enum InitMethod
{
    /// <summary>He et al.'s N(0, 2/fan_in) for every layer (the paper's baseline).</summary>
    Msra,
    /// <summary>Paper 001's Algorithm 1 for conv1 then conv2, MSRA for the fully connected layers.</summary>
    DataDriven,
}

/// <summary>What an arm is for: the comparison on the full training subset, or the δ search on its validation split.</summary>
public enum ArmPurpose
{
    /// <summary>Trained on the whole subset, scored on the official test set.</summary>
    Test,
    /// <summary>Trained on the subset minus its validation split, scored on that split (δ search; the test set is never seen).</summary>
    Validation,
}

/// <summary>
/// One training run of the paper-001 study, as plain data so a sweep engine can take the list: data set,
/// training subset r (% per class), initialiser, δ (ignored by MSRA), seed (fixes the subset, its order and
/// every draw; both methods share it so the comparison can be paired) and purpose.
/// </summary>
public sealed record InitArm(string DataSet, double SubsetPercent, InitMethod Method, double Delta, int Seed, ArmPurpose Purpose = ArmPurpose.Test)
{
    /// <summary>A stable name for the run store, e.g. <c>mnist/r10/data-driven/d0.3/s4</c> (validation arms end in <c>/val</c>).</summary>
    public string Key =>
        string.Create(CultureInfo.InvariantCulture,
            $"{DataSet}/r{SubsetPercent}/{(Method == InitMethod.Msra ? "msra" : "data-driven")}{(Method == InitMethod.Msra ? "" : $"/d{Delta}")}/s{Seed}{(Purpose == ArmPurpose.Validation ? "/val" : "")}");
}
