namespace InitLab.Kernel.Optim

open System.Runtime.CompilerServices
open System.Runtime.InteropServices
open InitLab.Kernel.Nn

/// Typed optimiser factories in the style of TorchSharp's `torch.optim.Adam(parameters, lr: …)`, with
/// .NET optional arguments (PyTorch's defaults) so C# names only what it changes. Each builds an
/// `OptimizerSpec` (constant rate) and validates it; a spec string or record covers schedules and
/// Caffe's bias multipliers.
[<AbstractClass; Sealed>]
type Optimizers =
    static member private Build(parameters: seq<NamedParameter>, rule: UpdateRule, lr: float, weightDecay: float) =
        if isNull (box parameters) then nullArg "parameters"
        let spec =
            { Rule = rule
              Policy = Fixed lr
              WeightDecay = weightDecay
              BiasLrMult = 1.0
              BiasDecayMult = 1.0 }
        OptimizerSpec.create spec (parameters |> Seq.map (fun p -> p.Name, p.Value))

    static member private Of(model: Module) =
        if isNull (box model) then nullArg "model"
        model.ParametersByName :> seq<_>

    /// SGD (PyTorch's form unless `caffeMomentum`: then v = m·v + lr·d, as Caffe's solver).
    static member Sgd(parameters: seq<NamedParameter>, lr: float,
                      [<Optional; DefaultParameterValue(0.0)>] momentum: float,
                      [<Optional; DefaultParameterValue(0.0)>] dampening: float,
                      [<Optional; DefaultParameterValue(0.0)>] weightDecay: float,
                      [<Optional; DefaultParameterValue(false)>] nesterov: bool,
                      [<Optional; DefaultParameterValue(false)>] caffeMomentum: bool) =
        Optimizers.Build(parameters, Sgd(momentum, dampening, nesterov, (if caffeMomentum then Caffe else PyTorch)), lr, weightDecay)

    /// SGD on every parameter of `model` (see the overload on parameters).
    static member Sgd(model: Module, lr: float,
                      [<Optional; DefaultParameterValue(0.0)>] momentum: float,
                      [<Optional; DefaultParameterValue(0.0)>] dampening: float,
                      [<Optional; DefaultParameterValue(0.0)>] weightDecay: float,
                      [<Optional; DefaultParameterValue(false)>] nesterov: bool,
                      [<Optional; DefaultParameterValue(false)>] caffeMomentum: bool) =
        Optimizers.Sgd(Optimizers.Of model, lr, momentum, dampening, weightDecay, nesterov, caffeMomentum)

    /// Adam (L2 weight decay added to the gradient, as torch.optim.Adam).
    static member Adam(parameters: seq<NamedParameter>,
                       [<Optional; DefaultParameterValue(1e-3)>] lr: float,
                       [<Optional; DefaultParameterValue(0.9)>] beta1: float,
                       [<Optional; DefaultParameterValue(0.999)>] beta2: float,
                       [<Optional; DefaultParameterValue(1e-8)>] eps: float,
                       [<Optional; DefaultParameterValue(0.0)>] weightDecay: float) =
        Optimizers.Build(parameters, Adam(beta1, beta2, eps, false), lr, weightDecay)

    /// Adam on every parameter of `model`.
    static member Adam(model: Module,
                       [<Optional; DefaultParameterValue(1e-3)>] lr: float,
                       [<Optional; DefaultParameterValue(0.9)>] beta1: float,
                       [<Optional; DefaultParameterValue(0.999)>] beta2: float,
                       [<Optional; DefaultParameterValue(1e-8)>] eps: float,
                       [<Optional; DefaultParameterValue(0.0)>] weightDecay: float) =
        Optimizers.Adam(Optimizers.Of model, lr, beta1, beta2, eps, weightDecay)

    /// AdamW: decoupled weight decay (torch.optim.AdamW's default 1e-2).
    static member AdamW(parameters: seq<NamedParameter>,
                        [<Optional; DefaultParameterValue(1e-3)>] lr: float,
                        [<Optional; DefaultParameterValue(0.9)>] beta1: float,
                        [<Optional; DefaultParameterValue(0.999)>] beta2: float,
                        [<Optional; DefaultParameterValue(1e-8)>] eps: float,
                        [<Optional; DefaultParameterValue(1e-2)>] weightDecay: float) =
        Optimizers.Build(parameters, Adam(beta1, beta2, eps, true), lr, weightDecay)

    /// AdamW on every parameter of `model`.
    static member AdamW(model: Module,
                        [<Optional; DefaultParameterValue(1e-3)>] lr: float,
                        [<Optional; DefaultParameterValue(0.9)>] beta1: float,
                        [<Optional; DefaultParameterValue(0.999)>] beta2: float,
                        [<Optional; DefaultParameterValue(1e-8)>] eps: float,
                        [<Optional; DefaultParameterValue(1e-2)>] weightDecay: float) =
        Optimizers.AdamW(Optimizers.Of model, lr, beta1, beta2, eps, weightDecay)

    /// AdaGrad.
    static member AdaGrad(parameters: seq<NamedParameter>,
                          [<Optional; DefaultParameterValue(1e-2)>] lr: float,
                          [<Optional; DefaultParameterValue(1e-10)>] eps: float,
                          [<Optional; DefaultParameterValue(0.0)>] weightDecay: float) =
        Optimizers.Build(parameters, AdaGrad eps, lr, weightDecay)

    /// AdaGrad on every parameter of `model`.
    static member AdaGrad(model: Module,
                          [<Optional; DefaultParameterValue(1e-2)>] lr: float,
                          [<Optional; DefaultParameterValue(1e-10)>] eps: float,
                          [<Optional; DefaultParameterValue(0.0)>] weightDecay: float) =
        Optimizers.AdaGrad(Optimizers.Of model, lr, eps, weightDecay)

    /// RMSProp.
    static member RmsProp(parameters: seq<NamedParameter>,
                          [<Optional; DefaultParameterValue(1e-2)>] lr: float,
                          [<Optional; DefaultParameterValue(0.99)>] alpha: float,
                          [<Optional; DefaultParameterValue(1e-8)>] eps: float,
                          [<Optional; DefaultParameterValue(0.0)>] momentum: float,
                          [<Optional; DefaultParameterValue(0.0)>] weightDecay: float) =
        Optimizers.Build(parameters, RmsProp(alpha, eps, momentum), lr, weightDecay)

    /// RMSProp on every parameter of `model`.
    static member RmsProp(model: Module,
                          [<Optional; DefaultParameterValue(1e-2)>] lr: float,
                          [<Optional; DefaultParameterValue(0.99)>] alpha: float,
                          [<Optional; DefaultParameterValue(1e-8)>] eps: float,
                          [<Optional; DefaultParameterValue(0.0)>] momentum: float,
                          [<Optional; DefaultParameterValue(0.0)>] weightDecay: float) =
        Optimizers.RmsProp(Optimizers.Of model, lr, alpha, eps, momentum, weightDecay)

    /// The optimiser a spec describes, for every parameter of `model`.
    static member FromSpec(spec: OptimizerSpec, model: Module) = OptimizerSpec.create spec (Optimizers.Of model |> Seq.map (fun p -> p.Name, p.Value))

    /// The optimiser a spec string describes (see `OptimizerSpec.Syntax`), for every parameter of `model`.
    static member FromSpec(spec: string, model: Module) = Optimizers.FromSpec(OptimizerSpec.Parse spec, model)

/// `spec.Create(model)` for C# and F#.
[<Extension; AbstractClass; Sealed>]
type OptimizerSpecExtensions =
    /// An optimiser for every parameter of `model`.
    [<Extension>] static member Create(spec: OptimizerSpec, model: Module) = Optimizers.FromSpec(spec, model)
