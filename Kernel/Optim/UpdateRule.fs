namespace InitLab.Kernel.Optim

open System
open System.Globalization

/// Where the learning rate enters SGD with momentum; the two agree only while the rate is constant.
type MomentumStyle =
    /// Caffe: v = m·v + lr·(g + wd·w); w −= v  (a rate change acts gradually through v).
    | Caffe
    /// PyTorch: v = m·v + (1 − dampening)·(g + wd·w), v = g + wd·w on the first step; w −= lr·v.
    | PyTorch

/// The update an optimiser applies to each parameter, with its hyper-parameters (PyTorch defaults
/// noted). Weight decay, learning rate and the per-parameter multipliers live outside the rule.
type UpdateRule =
    /// SGD, with momentum when `momentum` > 0. Nesterov (PyTorch form, needs momentum > 0 and
    /// dampening 0): w −= lr·(d + m·v) with d = g + wd·w. Dampening is used by the PyTorch style only.
    | Sgd of momentum: float * dampening: float * nesterov: bool * style: MomentumStyle
    /// AdaGrad: s += d²; w −= lr·d/(√s + ε). PyTorch ε 1e-10 (Caffe's `delta`).
    | AdaGrad of eps: float
    /// RMSProp: a = α·a + (1 − α)·d²; w −= lr·d/(√a + ε), or with momentum b = m·b + d/(√a + ε); w −= lr·b.
    /// PyTorch α 0.99, ε 1e-8. Caffe's RMSProp is this with α = rms_decay and momentum 0.
    | RmsProp of alpha: float * eps: float * momentum: float
    /// Adam with bias correction (PyTorch): m, v moving averages of d and d²;
    /// w −= lr/(1 − β1^t) · m / (√v/√(1 − β2^t) + ε). Decoupled = AdamW: w ·= 1 − lr·wd and d = g.
    | Adam of beta1: float * beta2: float * eps: float * decoupled: bool

[<RequireQualifiedAccess>]
module UpdateRule =
    let private fail (what: string) = invalidArg "rule" what
    let private finite (x: float) = not (Double.IsNaN x || Double.IsInfinity x)

    /// Short name, also the `Kind` recorded in a saved state.
    let name (r: UpdateRule) =
        match r with
        | Sgd(_, _, true, _) -> "nesterov"
        | Sgd(_, _, false, Caffe) -> "sgd"
        | Sgd(_, _, false, PyTorch) -> "sgd-torch"
        | AdaGrad _ -> "adagrad"
        | RmsProp _ -> "rmsprop"
        | Adam(_, _, _, false) -> "adam"
        | Adam(_, _, _, true) -> "adamw"

    /// Per-parameter state buffers this rule keeps (allocated once, saved in checkpoints).
    let stateNames (r: UpdateRule) =
        match r with
        | Sgd(m, _, _, _) -> if m > 0.0 then [| "momentum" |] else [||]
        | AdaGrad _ -> [| "sum" |]
        | RmsProp(_, _, m) -> if m > 0.0 then [| "square_avg"; "momentum" |] else [| "square_avg" |]
        | Adam _ -> [| "exp_avg"; "exp_avg_sq" |]

    /// Throws ArgumentException naming the rule, the hyper-parameter and its value if it is impossible.
    let validate (r: UpdateRule) =
        let n = name r
        let inRange what (lo: float) (hi: float) hiOpen (x: float) =
            if not (finite x && x >= lo && (if hiOpen then x < hi else x <= hi)) then
                let close = if hiOpen then ")" else "]"
                fail $"optimiser '{n}': {what} {x} must lie in [{lo}, {hi}{close}"
        let eps (x: float) = if not (finite x && x >= 0.0) then fail $"optimiser '{n}': eps {x} must be finite and >= 0"
        match r with
        | Sgd(m, damp, nesterov, style) ->
            if nesterov && style = Caffe then fail "optimiser 'nesterov': Nesterov momentum is implemented in the PyTorch style only"
            if style = Caffe && damp <> 0.0 then fail $"optimiser '{n}': dampening {damp} applies to the PyTorch style only (Caffe has none)"
            inRange "momentum" 0.0 1.0 true m
            inRange "dampening" 0.0 1.0 false damp
            if nesterov && (m <= 0.0 || damp <> 0.0) then
                fail $"optimiser '{n}': Nesterov momentum needs momentum > 0 and dampening 0 (got momentum {m}, dampening {damp})"
        | AdaGrad e -> eps e
        | RmsProp(alpha, e, m) ->
            inRange "alpha" 0.0 1.0 false alpha
            eps e
            inRange "momentum" 0.0 1.0 true m
        | Adam(b1, b2, e, _) ->
            inRange "beta1" 0.0 1.0 true b1
            inRange "beta2" 0.0 1.0 true b2
            eps e

    let syntax =
        "sgd[:MOMENTUM] (Caffe form) | sgd-torch[:MOMENTUM[:DAMPENING]] | nesterov:MOMENTUM | adagrad[:EPS] | "
        + "rmsprop[:ALPHA[:EPS[:MOMENTUM]]] | adam[:BETA1[:BETA2[:EPS]]] | adamw[:BETA1[:BETA2[:EPS]]]"

    /// Parses "sgd:0.9", "adam", "rmsprop:0.99:1e-8" … (see `syntax`); omitted values take PyTorch defaults.
    let parse (text: string) : UpdateRule =
        if String.IsNullOrWhiteSpace text then fail $"empty optimiser name; expected {syntax}"
        let parts = text.Trim().Split(':')
        let n = parts[0].ToLowerInvariant()
        let args = parts[1..]
        let arg i what (dflt: float) =
            if i >= args.Length then dflt
            else
                match Double.TryParse(args[i], NumberStyles.Float, CultureInfo.InvariantCulture) with
                | true, v -> v
                | _ -> fail $"optimiser '{text}': {what} '{args[i]}' is not a number"
        let most k =
            if args.Length > k then fail $"optimiser '{text}': '{n}' takes at most {k} argument(s), got {args.Length}; expected {syntax}"
        let r =
            match n with
            | "sgd" -> most 1; Sgd(arg 0 "momentum" 0.0, 0.0, false, Caffe)
            | "sgd-torch" -> most 2; Sgd(arg 0 "momentum" 0.0, arg 1 "dampening" 0.0, false, PyTorch)
            | "nesterov" ->
                most 1
                if args.Length = 0 then fail $"optimiser '{text}': nesterov needs a momentum, e.g. nesterov:0.9"
                Sgd(arg 0 "momentum" 0.0, 0.0, true, PyTorch)
            | "adagrad" -> most 1; AdaGrad(arg 0 "eps" 1e-10)
            | "rmsprop" -> most 3; RmsProp(arg 0 "alpha" 0.99, arg 1 "eps" 1e-8, arg 2 "momentum" 0.0)
            | "adam" | "adamw" ->
                most 3
                Adam(arg 0 "beta1" 0.9, arg 1 "beta2" 0.999, arg 2 "eps" 1e-8, (n = "adamw"))
            | _ -> fail $"unknown optimiser '{parts[0]}'; expected {syntax}"
        validate r
        r

    /// The text `parse` reads back into the same rule.
    let format (r: UpdateRule) =
        let f (x: float) = x.ToString("R", CultureInfo.InvariantCulture)
        match r with
        | Sgd(m, _, true, _) -> $"nesterov:{f m}"
        | Sgd(m, _, false, Caffe) -> $"sgd:{f m}"
        | Sgd(m, d, false, PyTorch) -> $"sgd-torch:{f m}:{f d}"
        | AdaGrad e -> $"adagrad:{f e}"
        | RmsProp(a, e, m) -> $"rmsprop:{f a}:{f e}:{f m}"
        | Adam(b1, b2, e, dec) -> $"""{(if dec then "adamw" else "adam")}:{f b1}:{f b2}:{f e}"""
