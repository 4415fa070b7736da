using System.Globalization;
using InitLab.Kernel.Optim;

namespace InitLab.Studies;

/// <summary>
/// A solver as numbers, in the spirit of Caffe's <c>solver.prototxt</c> (field names are Caffe's):
/// the update rule and its hyper-parameters, the learning-rate policy, weight decay, bias multipliers,
/// the iteration cap, the batch and the test schedule. It maps onto the Kernel's
/// <see cref="OptimizerSpec"/> through <see cref="ToSpecText"/> and onto the run half of
/// <see cref="Training.TrainingOptions"/> in <see cref="StudyConfig.ToTrainingOptions"/>.
/// A hyper-parameter left null takes the Kernel's default (PyTorch's); a value the chosen rule or
/// policy does not use is refused, so the record never shows a number that has no effect.
/// </summary>
public sealed record SolverConfig
{
    /// <summary>
    /// Update rule: "sgd" (Caffe's momentum form), "sgd-torch", "nesterov" (PyTorch's form), "adagrad",
    /// "rmsprop", "adam", "adamw"; case does not matter (Caffe writes "SGD", "AdaGrad", …).
    /// </summary>
    public string Type { get; init; } = "sgd";

    /// <summary>Base learning rate.</summary>
    public required double BaseLr { get; init; }

    /// <summary>Momentum of sgd / sgd-torch / nesterov / rmsprop; β1 of adam and adamw.</summary>
    public double? Momentum { get; init; }

    /// <summary>β2 of adam and adamw (Caffe's <c>momentum2</c>).</summary>
    public double? Momentum2 { get; init; }

    /// <summary>ε of adagrad, rmsprop, adam and adamw (Caffe's <c>delta</c>).</summary>
    public double? Delta { get; init; }

    /// <summary>α of rmsprop (Caffe's <c>rms_decay</c>).</summary>
    public double? RmsDecay { get; init; }

    /// <summary>Dampening of sgd-torch.</summary>
    public double? Dampening { get; init; }

    /// <summary>L2 weight decay (decoupled for adamw).</summary>
    public double WeightDecay { get; init; }

    /// <summary>Learning-rate policy: fixed, step, multistep, exp, inv, poly (to <see cref="MaxIter"/>), sigmoid.</summary>
    public string LrPolicy { get; init; } = "fixed";

    /// <summary>γ of step, multistep, exp, inv and sigmoid.</summary>
    public double? Gamma { get; init; }

    /// <summary>Power of inv and poly.</summary>
    public double? Power { get; init; }

    /// <summary>Step size of step and sigmoid (Caffe's <c>stepsize</c>).</summary>
    [System.Text.Json.Serialization.JsonPropertyName("stepsize")]
    public int? StepSize { get; init; }

    /// <summary>Iterations at which multistep multiplies by γ (Caffe's <c>stepvalue</c>).</summary>
    [System.Text.Json.Serialization.JsonPropertyName("stepvalue")]
    public IReadOnlyList<int>? StepValue { get; init; }

    /// <summary>Learning-rate multiplier of bias parameters (Caffe sets it per layer as <c>lr_mult</c>).</summary>
    public double BiasLrMult { get; init; } = 1.0;

    /// <summary>Weight-decay multiplier of bias parameters (Caffe's <c>decay_mult</c>).</summary>
    public double BiasDecayMult { get; init; } = 1.0;

    /// <summary>Training iterations.</summary>
    public required int MaxIter { get; init; }

    /// <summary>Images per training batch (in Caffe the data layer's <c>batch_size</c>).</summary>
    public required int Batch { get; init; }

    /// <summary>Evaluate every this many iterations; 0 evaluates only at the end.</summary>
    public int TestInterval { get; init; }

    /// <summary>Images per evaluation batch; null takes the trainer's default.</summary>
    public int? TestBatch { get; init; }

    static string F(double x) => x.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>The hyper-parameters each rule reads, in the positional order of its Kernel spec (see <see cref="OptimizerSpec.Syntax"/>).</summary>
    IReadOnlyList<(string Name, double? Value)> RuleArguments(string type) => type switch
    {
        "sgd" or "nesterov" => [("momentum", Momentum)],
        "sgd-torch" => [("momentum", Momentum), ("dampening", Dampening)],
        "adagrad" => [("delta", Delta)],
        "rmsprop" => [("rms_decay", RmsDecay), ("delta", Delta), ("momentum", Momentum)],
        "adam" or "adamw" => [("momentum", Momentum), ("momentum2", Momentum2), ("delta", Delta)],
        _ => throw new ArgumentException($"solver type '{Type}' is unknown; expected sgd, sgd-torch, nesterov, adagrad, rmsprop, adam or adamw"),
    };

    /// <summary>The policy arguments each lr_policy reads, in the positional order of the Kernel's policy text.</summary>
    IReadOnlyList<(string Name, string? Value)> PolicyArguments(string policy) => policy switch
    {
        "fixed" => [],
        "step" or "sigmoid" => [("gamma", Text(Gamma)), ("stepsize", StepSize?.ToString(CultureInfo.InvariantCulture))],
        "multistep" => [("gamma", Text(Gamma)), ("stepvalue", StepValue is null ? null : string.Join(",", StepValue))],
        "exp" => [("gamma", Text(Gamma))],
        "inv" => [("gamma", Text(Gamma)), ("power", Text(Power))],
        // Caffe's poly runs to the solver's max_iter
        "poly" => [("power", Text(Power)), ("max_iter", MaxIter.ToString(CultureInfo.InvariantCulture))],
        _ => throw new ArgumentException($"solver lr_policy '{LrPolicy}' is unknown; expected fixed, step, multistep, exp, inv, poly or sigmoid"),
    };

    static string? Text(double? x) => x is double v ? F(v) : null;

    /// <summary>
    /// The optimiser spec text the Kernel parses (<see cref="OptimizerSpec.Parse"/>), e.g.
    /// <c>"sgd:0.9 lr=0.01 wd=0.0005 policy=inv:0.0001:0.75 bias_lr=2 bias_decay=1"</c>.
    /// </summary>
    /// <exception cref="ArgumentException">An unknown type or policy, a missing or an unused number; the message names it.</exception>
    public string ToSpecText()
    {
        string type = (Type ?? "").Trim().ToLowerInvariant();
        string policy = (LrPolicy ?? "").Trim().ToLowerInvariant();
        var ruleArgs = RuleArguments(type);
        var policyArgs = PolicyArguments(policy);
        RefuseUnused($"type {type}", ruleArgs.Select(a => a.Name),
            ("momentum", Text(Momentum)), ("momentum2", Text(Momentum2)), ("delta", Text(Delta)), ("rms_decay", Text(RmsDecay)), ("dampening", Text(Dampening)));
        RefuseUnused($"lr_policy {policy}", policyArgs.Select(a => a.Name),
            ("gamma", Text(Gamma)), ("power", Text(Power)), ("stepsize", StepSize?.ToString(CultureInfo.InvariantCulture)),
            ("stepvalue", StepValue is null ? null : string.Join(",", StepValue)));

        // trailing unset hyper-parameters take the Kernel's defaults; an unset one before a set one cannot be written positionally
        int given = ruleArgs.Count;
        while (given > 0 && ruleArgs[given - 1].Value is null) given--;
        for (int i = 0; i < given; i++)
            if (ruleArgs[i].Value is null)
                throw new ArgumentException($"solver type {type}: {ruleArgs[given - 1].Name} is given, so {ruleArgs[i].Name} must be too");
        string rule = string.Join(":", ruleArgs.Take(given).Select(a => F(a.Value!.Value)).Prepend(type));

        foreach (var (name, value) in policyArgs)
            if (value is null) throw new ArgumentException($"solver lr_policy {policy} needs {name}");
        string policyText = string.Join(":", policyArgs.Select(a => a.Value).Prepend(policy));
        return $"{rule} lr={F(BaseLr)} wd={F(WeightDecay)} policy={policyText} bias_lr={F(BiasLrMult)} bias_decay={F(BiasDecayMult)}";
    }

    static void RefuseUnused(string what, IEnumerable<string> used, params (string Name, string? Value)[] fields)
    {
        var reads = used.ToList();
        foreach (var (name, value) in fields)
            if (value is not null && !reads.Contains(name))
                throw new ArgumentException($"solver {name} {value} is not used by {what} (it reads {(reads.Count == 0 ? "nothing" : string.Join(", ", reads))})");
    }

    /// <summary>The Kernel's optimiser spec for these numbers (validated there).</summary>
    /// <exception cref="ArgumentException">As <see cref="ToSpecText"/>, or a value the Kernel refuses (named in the message).</exception>
    public OptimizerSpec ToOptimizerSpec() => OptimizerSpec.Parse(ToSpecText());

    /// <summary>Throws <see cref="ArgumentException"/> naming the first impossible number.</summary>
    public void Validate()
    {
        if (MaxIter < 1) throw new ArgumentException($"solver max_iter must be ≥ 1, got {MaxIter}");
        if (Batch < 1) throw new ArgumentException($"solver batch must be ≥ 1, got {Batch}");
        if (TestInterval < 0) throw new ArgumentException($"solver test_interval must be ≥ 0, got {TestInterval}");
        if (TestBatch is < 1) throw new ArgumentException($"solver test_batch must be ≥ 1, got {TestBatch}");
        ToOptimizerSpec();
    }
}
