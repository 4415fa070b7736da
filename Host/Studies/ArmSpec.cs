using InitLab.Training;

namespace InitLab.Studies;

/// <summary>What to train in one arm of a study.</summary>
/// <param name="Study">Study name (runs are grouped by it).</param>
/// <param name="Name">Arm name, e.g. "chars-1".</param>
/// <param name="ConfigJson">The full configuration as JSON; a finished run with the same study, name and config is reused.</param>
/// <param name="Seed">Seed recorded with the run.</param>
/// <param name="OptimizerSpec">Optimiser spec string (see <see cref="Trainer"/>).</param>
/// <param name="Options">Training options; the checkpoint path is managed by the runner.</param>
public sealed record ArmSpec(string Study, string Name, string ConfigJson, long Seed, string OptimizerSpec, TrainingOptions Options);
