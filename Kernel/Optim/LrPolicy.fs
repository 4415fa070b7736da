namespace InitLab.Kernel.Optim

open System
open System.Globalization

/// A learning-rate schedule: the rate at iteration `iter` (0 for the first step). Names and
/// formulas follow Caffe's solver `lr_policy`; `Cosine` is the SGDR-style annealing Caffe lacks.
type LrPolicy =
    /// base
    | Fixed of baseLr: float
    /// base·γ^floor(iter/stepSize)
    | Step of baseLr: float * gamma: float * stepSize: int
    /// base·γ^(number of step values ≤ iter); step values strictly increasing.
    | MultiStep of baseLr: float * gamma: float * stepValues: int[]
    /// base·γ^iter
    | Exp of baseLr: float * gamma: float
    /// base·(1 + γ·iter)^(−power)
    | Inv of baseLr: float * gamma: float * power: float
    /// base·(1 − iter/maxIter)^power, and 0 from maxIter on (Caffe would produce NaN there).
    | Poly of baseLr: float * power: float * maxIter: int
    /// base / (1 + exp(−γ·(iter − stepSize)))
    | Sigmoid of baseLr: float * gamma: float * stepSize: int
    /// minLr + (base − minLr)·(1 + cos(π·(iter mod period)/period))/2: restarts every `period` iterations.
    | Cosine of baseLr: float * minLr: float * period: int

    member this.BaseLr =
        match this with
        | Fixed b | Step(b, _, _) | MultiStep(b, _, _) | Exp(b, _) | Inv(b, _, _)
        | Poly(b, _, _) | Sigmoid(b, _, _) | Cosine(b, _, _) -> b

[<RequireQualifiedAccess>]
module LrPolicy =
    let private fail (what: string) = invalidArg "policy" what

    let private finite (x: float) = not (Double.IsNaN x || Double.IsInfinity x)

    /// The policy's name as the parser accepts it ("fixed", "step", …).
    let name (p: LrPolicy) =
        match p with
        | Fixed _ -> "fixed" | Step _ -> "step" | MultiStep _ -> "multistep" | Exp _ -> "exp"
        | Inv _ -> "inv" | Poly _ -> "poly" | Sigmoid _ -> "sigmoid" | Cosine _ -> "cosine"

    /// Throws ArgumentException naming the policy, the parameter and its value if anything is impossible.
    let validate (p: LrPolicy) =
        let n = name p
        let b = p.BaseLr
        if not (finite b && b >= 0.0) then fail $"lr policy '{n}': base learning rate {b} must be finite and >= 0"
        let positive what (x: float) =
            if not (finite x && x > 0.0) then fail $"lr policy '{n}': {what} {x} must be finite and > 0"
        let nonNegative what (x: float) =
            if not (finite x && x >= 0.0) then fail $"lr policy '{n}': {what} {x} must be finite and >= 0"
        match p with
        | Fixed _ -> ()
        | Step(_, gamma, stepSize) ->
            positive "gamma" gamma
            if stepSize <= 0 then fail $"lr policy 'step': stepsize {stepSize} must be > 0"
        | MultiStep(_, gamma, values) ->
            positive "gamma" gamma
            if isNull values then fail "lr policy 'multistep': step values are missing"
            for i in 0 .. values.Length - 1 do
                if values[i] < 0 then fail $"lr policy 'multistep': step value {values[i]} must be >= 0"
                if i > 0 && values[i] <= values[i - 1] then
                    fail $"lr policy 'multistep': step values must be strictly increasing, got {values[i - 1]} then {values[i]}"
        | Exp(_, gamma) -> positive "gamma" gamma
        | Inv(_, gamma, power) ->
            nonNegative "gamma" gamma
            nonNegative "power" power
        | Poly(_, power, maxIter) ->
            nonNegative "power" power
            if maxIter <= 0 then fail $"lr policy 'poly': max_iter {maxIter} must be > 0"
        | Sigmoid(_, gamma, _) -> if not (finite gamma) then fail $"lr policy 'sigmoid': gamma {gamma} must be finite"
        | Cosine(b, minLr, period) ->
            nonNegative "min lr" minLr
            if minLr > b then fail $"lr policy 'cosine': min lr {minLr} exceeds base lr {b}"
            if period <= 0 then fail $"lr policy 'cosine': period {period} must be > 0"

    /// The learning rate at iteration `iter` (>= 0).
    let rate (p: LrPolicy) (iter: int) =
        if iter < 0 then invalidArg "iter" $"lr policy '{name p}': iteration {iter} must be >= 0"
        validate p
        let it = float iter
        match p with
        | Fixed b -> b
        | Step(b, gamma, stepSize) -> b * Math.Pow(gamma, float (iter / stepSize))
        | MultiStep(b, gamma, values) ->
            let mutable passed = 0
            while passed < values.Length && iter >= values[passed] do passed <- passed + 1
            b * Math.Pow(gamma, float passed)
        | Exp(b, gamma) -> b * Math.Pow(gamma, it)
        | Inv(b, gamma, power) -> b * Math.Pow(1.0 + gamma * it, -power)
        | Poly(b, power, maxIter) -> if iter >= maxIter then 0.0 else b * Math.Pow(1.0 - it / float maxIter, power)
        | Sigmoid(b, gamma, stepSize) -> b * (1.0 / (1.0 + Math.Exp(-gamma * (it - float stepSize))))
        | Cosine(b, minLr, period) ->
            let phase = float (iter % period) / float period
            minLr + (b - minLr) * (1.0 + Math.Cos(Math.PI * phase)) / 2.0

    /// Caffe prints rates with C++ ostream defaults (%g, 6 significant digits): 0.00992565, 1e-05.
    let formatCaffe (x: float) =
        let s = x.ToString("G6", CultureInfo.InvariantCulture)
        s.Replace("E", "e")

    /// The line Caffe's SGDSolver logs at display iterations: "Iteration 100, lr = 0.00992565".
    let caffeLogLine (iter: int) (p: LrPolicy) = $"Iteration {iter}, lr = {formatCaffe (rate p iter)}"

    let private num (policy: string) (what: string) (s: string) =
        match Double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture) with
        | true, v -> v
        | _ -> fail $"lr policy '{policy}': {what} '{s}' is not a number"

    let private int' (policy: string) (what: string) (s: string) =
        match Int32.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture) with
        | true, v -> v
        | _ -> fail $"lr policy '{policy}': {what} '{s}' is not an integer"

    /// The accepted forms, for error messages and CLI help.
    let syntax =
        "fixed | step:GAMMA:STEPSIZE | multistep:GAMMA:S1,S2,... | exp:GAMMA | inv:GAMMA:POWER | "
        + "poly:POWER:MAXITER | sigmoid:GAMMA:STEPSIZE | cosine:PERIOD[:MINLR]"

    /// Parses a policy such as "inv:1e-4:0.75" (see `syntax`) for the given base rate, and validates it.
    let parse (baseLr: float) (text: string) : LrPolicy =
        if String.IsNullOrWhiteSpace text then fail $"empty lr policy; expected {syntax}"
        let parts = text.Trim().Split(':')
        let n = parts[0].ToLowerInvariant()
        let args = parts[1..]
        let expect (count: int list) =
            if not (List.contains args.Length count) then
                let counts = String.Join(" or ", count)
                fail $"lr policy '{text}': '{n}' takes {counts} argument(s), got {args.Length}; expected {syntax}"
        let p =
            match n with
            | "fixed" -> expect [ 0 ]; Fixed baseLr
            | "step" -> expect [ 2 ]; Step(baseLr, num n "gamma" args[0], int' n "stepsize" args[1])
            | "multistep" ->
                expect [ 2 ]
                let values = args[1].Split(',', StringSplitOptions.RemoveEmptyEntries) |> Array.map (int' n "step value")
                if values.Length = 0 then fail $"lr policy '{text}': multistep needs at least one step value"
                MultiStep(baseLr, num n "gamma" args[0], values)
            | "exp" -> expect [ 1 ]; Exp(baseLr, num n "gamma" args[0])
            | "inv" -> expect [ 2 ]; Inv(baseLr, num n "gamma" args[0], num n "power" args[1])
            | "poly" -> expect [ 2 ]; Poly(baseLr, num n "power" args[0], int' n "max_iter" args[1])
            | "sigmoid" -> expect [ 2 ]; Sigmoid(baseLr, num n "gamma" args[0], int' n "stepsize" args[1])
            | "cosine" ->
                expect [ 1; 2 ]
                Cosine(baseLr, (if args.Length = 2 then num n "min lr" args[1] else 0.0), int' n "period" args[0])
            | _ -> fail $"unknown lr policy '{parts[0]}'; expected {syntax}"
        validate p
        p

    /// The text `parse` reads back into the same policy (the base rate is not part of it).
    let format (p: LrPolicy) =
        let f (x: float) = x.ToString("R", CultureInfo.InvariantCulture)
        match p with
        | Fixed _ -> "fixed"
        | Step(_, g, s) -> $"step:{f g}:{s}"
        | MultiStep(_, g, vs) -> $"multistep:{f g}:" + String.Join(",", vs)
        | Exp(_, g) -> $"exp:{f g}"
        | Inv(_, g, pw) -> $"inv:{f g}:{f pw}"
        | Poly(_, pw, m) -> $"poly:{f pw}:{m}"
        | Sigmoid(_, g, s) -> $"sigmoid:{f g}:{s}"
        | Cosine(_, m, period) -> $"cosine:{period}:{f m}"

type LrPolicy with
    /// The learning rate at iteration `iter` (>= 0); same as `LrPolicy.rate`.
    member this.Rate(iter: int) = LrPolicy.rate this iter
