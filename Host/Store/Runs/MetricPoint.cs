namespace InitLab.Store;

/// <summary>One value of a named metric at a training step (e.g. step 300, "train/loss", 0.42).</summary>
/// <param name="Step">Training step (iteration) the value belongs to.</param>
/// <param name="Name">Metric name.</param>
/// <param name="Value">Value; NaN and infinities are stored and read back as such.</param>
public readonly record struct MetricPoint(long Step, string Name, double Value);
