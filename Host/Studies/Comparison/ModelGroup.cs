using InitLab.Data;
using InitLab.Kernel.Nn;

namespace InitLab.Studies.Comparison;

/// <summary>
/// Trained models of one architecture that share a training set and differ in their initial weights
/// (paper 000's Chars1–5 or MNIST1–5). Model k of one group and model k of another are taken to share
/// their initial weights.
/// </summary>
/// <param name="Name">Prefix of the models' names ("Chars" gives Chars1, Chars2, …).</param>
/// <param name="Models">The trained models, in order.</param>
/// <param name="Evaluation">Labelled images the interpolation paths of these models are scored on (e.g. the group's test set).</param>
public sealed record ModelGroup(string Name, IReadOnlyList<Module> Models, DataSet Evaluation)
{
    /// <summary>"Name1", "Name2", … in model order.</summary>
    public IReadOnlyList<string> ModelNames => Enumerable.Range(1, Models.Count).Select(k => $"{Name}{k}").ToList();
}
