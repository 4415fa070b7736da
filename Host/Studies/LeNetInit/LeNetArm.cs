namespace InitLab.Studies;

/// <summary>
/// One model of paper 000 (scripts/exp_lenet.fsx): model <paramref name="K"/> of data set <paramref name="Set"/>,
/// whose initial weights are drawn from <paramref name="Seed"/>; named "chars{k}" or "mnist{k}" in the store.
/// </summary>
/// <param name="Name">The arm's name in the run store.</param>
/// <param name="Set"><see cref="Chars"/> or <see cref="Mnist"/>.</param>
/// <param name="K">1-based index of the seed among the study's seeds.</param>
/// <param name="Seed">Seed of the initial weights (model k of both sets shares it).</param>
public sealed record LeNetArm(string Name, string Set, int K, int Seed)
{
    /// <summary>The Chars74K digits.</summary>
    public const string Chars = "chars";

    /// <summary>MNIST.</summary>
    public const string Mnist = "mnist";

    /// <summary>Every arm of <paramref name="study"/>, declared once for the script and its sweep: chars k, then mnist k, for each seed k.</summary>
    public static IReadOnlyList<LeNetArm> Of(StudyConfig study)
    {
        ArgumentNullException.ThrowIfNull(study);
        var arms = new List<LeNetArm>();
        for (int i = 0; i < study.Seeds.Count; i++)
        {
            arms.Add(new LeNetArm($"{Chars}{i + 1}", Chars, i + 1, study.Seeds[i]));
            arms.Add(new LeNetArm($"{Mnist}{i + 1}", Mnist, i + 1, study.Seeds[i]));
        }
        return arms;
    }
}
