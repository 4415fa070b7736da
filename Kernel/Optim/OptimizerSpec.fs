namespace InitLab.Kernel.Optim

open System
open System.Globalization
open InitLab.Kernel

/// A declarative optimiser, like a Caffe solver: the update rule, the rate schedule (which holds
/// the base rate), L2 weight decay, and the lr / decay multipliers of bias parameters (names ending
/// in ".bias" or equal to "bias"); every other parameter has multipliers 1.
type OptimizerSpec =
    { Rule: UpdateRule
      Policy: LrPolicy
      WeightDecay: float
      BiasLrMult: float
      BiasDecayMult: float }

[<RequireQualifiedAccess>]
module OptimizerSpec =
    let private fail (what: string) = invalidArg "spec" what
    let private finite (x: float) = Double.IsFinite x

    let isBias (name: string) = name = "bias" || name.EndsWith(".bias", StringComparison.Ordinal)

    /// Base rate used when a spec string gives none: PyTorch's defaults (Adam 1e-3, others 1e-2).
    let defaultLr (rule: UpdateRule) =
        match rule with
        | Adam _ -> 1e-3
        | _ -> 1e-2

    /// Caffe's LeNet solver (examples/mnist/lenet_solver.prototxt): SGD momentum 0.9, base_lr 0.01,
    /// weight_decay 5e-4, lr_policy inv with γ 1e-4, power 0.75; Caffe's LeNet gives biases lr_mult 2.
    let caffeLeNet =
        { Rule = Sgd(0.9, 0.0, false, Caffe)
          Policy = Inv(0.01, 1e-4, 0.75)
          WeightDecay = 5e-4
          BiasLrMult = 2.0
          BiasDecayMult = 1.0 }

    let validate (spec: OptimizerSpec) =
        UpdateRule.validate spec.Rule
        LrPolicy.validate spec.Policy
        if not (finite spec.WeightDecay && spec.WeightDecay >= 0.0) then fail $"weight decay {spec.WeightDecay} must be finite and >= 0"
        if not (finite spec.BiasLrMult && spec.BiasLrMult >= 0.0) then fail $"bias lr multiplier {spec.BiasLrMult} must be finite and >= 0"
        if not (finite spec.BiasDecayMult && spec.BiasDecayMult >= 0.0) then fail $"bias decay multiplier {spec.BiasDecayMult} must be finite and >= 0"

    let lrMult (spec: OptimizerSpec) (name: string) = if isBias name then spec.BiasLrMult else 1.0
    let decayMult (spec: OptimizerSpec) (name: string) = if isBias name then spec.BiasDecayMult else 1.0

    /// An optimiser for these named parameters.
    let create (spec: OptimizerSpec) (parameters: seq<string * Tensor>) =
        validate spec
        Optimizer(parameters, spec.Rule, spec.Policy, spec.WeightDecay, lrMult spec, decayMult spec)

    /// The text `parse` reads back into an equal spec.
    let format (spec: OptimizerSpec) =
        let f (x: float) = x.ToString("R", CultureInfo.InvariantCulture)
        $"{UpdateRule.format spec.Rule} lr={f spec.Policy.BaseLr} wd={f spec.WeightDecay} policy={LrPolicy.format spec.Policy} "
        + $"bias_lr={f spec.BiasLrMult} bias_decay={f spec.BiasDecayMult}"

    let syntax =
        $"caffe-lenet | RULE [lr=BASE] [wd=DECAY] [policy=POLICY] [bias_lr=MULT] [bias_decay=MULT] (space separated), "
        + $"RULE = {UpdateRule.syntax}; POLICY = {LrPolicy.syntax}"

    /// Parses e.g. "sgd:0.9 lr=0.01 wd=5e-4 policy=inv:1e-4:0.75 bias_lr=2" (see `syntax`), or
    /// "caffe-lenet" for `caffeLeNet`. Omitted options: default lr, no decay, fixed policy, multipliers 1.
    let parse (text: string) : OptimizerSpec =
        if String.IsNullOrWhiteSpace text then fail $"empty optimiser spec; expected {syntax}"
        let tokens = text.Split([| ' '; '\t' |], StringSplitOptions.RemoveEmptyEntries)
        if tokens[0].ToLowerInvariant() = "caffe-lenet" then
            if tokens.Length > 1 then fail $"optimiser spec '{text}': the caffe-lenet preset takes no options; spell it out as '{format caffeLeNet}' and edit that"
            caffeLeNet
        else
            let rule = UpdateRule.parse tokens[0]
            let options = Collections.Generic.Dictionary<string, string>()
            for tok in tokens[1..] do
                let eq = tok.IndexOf '='
                if eq <= 0 then fail $"optimiser spec '{text}': '{tok}' is not KEY=VALUE; expected {syntax}"
                let key = tok.Substring(0, eq).ToLowerInvariant()
                if not (List.contains key [ "lr"; "wd"; "policy"; "bias_lr"; "bias_decay" ]) then
                    fail $"optimiser spec '{text}': unknown option '{key}'; expected {syntax}"
                if not (options.TryAdd(key, tok.Substring(eq + 1))) then fail $"optimiser spec '{text}': option '{key}' given twice"
            let num key (dflt: float) =
                match options.TryGetValue key with
                | true, s ->
                    match Double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture) with
                    | true, v -> v
                    | _ -> fail $"optimiser spec '{text}': {key} '{s}' is not a number"
                | _ -> dflt
            let lr = num "lr" (defaultLr rule)
            let policy =
                match options.TryGetValue "policy" with
                | true, p -> LrPolicy.parse lr p
                | _ -> Fixed lr
            let spec =
                { Rule = rule
                  Policy = policy
                  WeightDecay = num "wd" 0.0
                  BiasLrMult = num "bias_lr" 1.0
                  BiasDecayMult = num "bias_decay" 1.0 }
            validate spec
            spec

type OptimizerSpec with
    /// Parses a spec string (see `Syntax`), e.g. "sgd:0.9 lr=0.01 wd=5e-4 policy=inv:1e-4:0.75 bias_lr=2"
    /// or "caffe-lenet"; an invalid one raises ArgumentException naming the text.
    static member Parse(text: string) = OptimizerSpec.parse text
    /// The grammar `Parse` reads.
    static member Syntax = OptimizerSpec.syntax
    /// Caffe's LeNet solver (lenet_solver.prototxt).
    static member CaffeLeNet = OptimizerSpec.caffeLeNet
    /// The text `Parse` reads back into an equal spec.
    member this.Format() = OptimizerSpec.format this
    /// The base learning rate of the schedule.
    member this.BaseLr = this.Policy.BaseLr
