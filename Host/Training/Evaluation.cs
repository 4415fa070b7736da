namespace InitLab.Training;

/// <summary>One evaluation of a model on a data set.</summary>
/// <param name="Iteration">Training iterations completed when it was taken.</param>
/// <param name="Loss">Mean cross-entropy.</param>
/// <param name="Accuracy">Fraction of images classified correctly.</param>
/// <param name="Count">Images evaluated.</param>
public sealed record Evaluation(int Iteration, double Loss, double Accuracy, int Count);
