namespace InitLab.Kernel.Optim

open System
open System.Collections.Generic
open System.Numerics
open InitLab.Kernel

/// One parameter as the optimiser sees it: its multipliers, its state arrays (float32[] or float[]
/// like the parameter) and how many updates it has received (PyTorch counts per parameter).
type internal ParamSlot =
    { Name: string
      Tensor: Tensor
      LrMult: float
      DecayMult: float
      Buffers: Array[]
      mutable Steps: int64 }

/// Runs an UpdateRule on one parameter's arrays of element type 'T.
type internal RuleRunner<'T when 'T :> IFloatingPointIeee754<'T> and 'T: struct and 'T: (new: unit -> 'T) and 'T :> ValueType> =
    // a static member rather than a local closure: Run must not allocate
    static member private Buf(slot: ParamSlot, i: int) = slot.Buffers[i] :?> 'T[]

    static member Run(rule: UpdateRule, slot: ParamSlot, w: 'T[], g: 'T[], lr: float, wd: float, s1: 'T[], s2: 'T[]) =
        let inline buf i = RuleRunner<'T>.Buf(slot, i)
        match rule with
        | Sgd(m, _, _, Caffe) -> UpdateKernels<'T>.SgdCaffe(w, g, (if m > 0.0 then buf 0 else null), lr, wd, m, s1)
        | Sgd(m, damp, nesterov, PyTorch) ->
            UpdateKernels<'T>.SgdTorch(w, g, (if m > 0.0 then buf 0 else null), (slot.Steps = 1L), lr, wd, m, damp, nesterov, s1)
        | AdaGrad eps -> UpdateKernels<'T>.AdaGrad(w, g, buf 0, lr, wd, eps, s1, s2)
        | RmsProp(alpha, eps, m) -> UpdateKernels<'T>.RmsProp(w, g, buf 0, (if m > 0.0 then buf 1 else null), lr, wd, alpha, eps, m, s1, s2)
        | Adam(b1, b2, eps, decoupled) -> UpdateKernels<'T>.Adam(w, g, buf 0, buf 1, slot.Steps, lr, wd, b1, b2, eps, decoupled, s1, s2)

/// Updates named parameters in place from their gradients with an UpdateRule. The learning rate
/// of a step is `lr`·lrMult(name) and the L2 weight decay `weightDecay`·decayMult(name) (Caffe's
/// lr_mult / decay_mult, e.g. `fun n -> if n.EndsWith ".bias" then 2.0 else 1.0`). State arrays are
/// allocated here once; a step allocates nothing. Parameters without a gradient are skipped.
[<Sealed>]
type Optimizer(parameters: seq<string * Tensor>, rule: UpdateRule, policy: LrPolicy, ?weightDecay: float,
               ?lrMult: string -> float, ?decayMult: string -> float) =
    let weightDecay = defaultArg weightDecay 0.0
    let lrMult = defaultArg lrMult (fun _ -> 1.0)
    let decayMult = defaultArg decayMult (fun _ -> 1.0)
    do
        UpdateRule.validate rule
        LrPolicy.validate policy
        if not (Double.IsFinite weightDecay && weightDecay >= 0.0) then
            invalidArg "weightDecay" $"weight decay {weightDecay} must be finite and >= 0"
    let kind = UpdateRule.name rule
    let stateNames = UpdateRule.stateNames rule

    let slots =
        let names = HashSet<string>()
        let tensors = HashSet<Tensor>(HashIdentity.Reference)
        [| for name, t in parameters do
               if String.IsNullOrWhiteSpace name then invalidArg "parameters" "a parameter has an empty name"
               if isNull t then invalidArg "parameters" $"parameter '{name}' is null"
               if not (names.Add name) then invalidArg "parameters" $"parameter name '{name}' appears twice"
               if not (tensors.Add t) then invalidArg "parameters" $"parameter '{name}' is a tensor already listed under another name"
               if not t.IsLeaf then invalidArg "parameters" $"parameter '{name}' is not a leaf tensor (it has a graph history)"
               if not t.RequiresGrad then invalidArg "parameters" $"parameter '{name}' does not require grad; call RequireGrad() on it"
               let mult what (f: string -> float) =
                   let m = f name
                   if not (Double.IsFinite m && m >= 0.0) then invalidArg what $"{what} for parameter '{name}' is {m}; it must be finite and >= 0"
                   m
               let n = t.Numel
               let alloc () : Array =
                   match t.DType with
                   | Float32 -> Array.zeroCreate<float32> n
                   | Float64 -> Array.zeroCreate<float> n
               { Name = name
                 Tensor = t
                 LrMult = mult "lrMult" lrMult
                 DecayMult = mult "decayMult" decayMult
                 Buffers = stateNames |> Array.map (fun _ -> alloc ())
                 Steps = 0L } |]
    do if slots.Length = 0 then invalidArg "parameters" "an optimiser needs at least one parameter"

    // scratch shared by all parameters of a dtype, as long as the largest one
    let maxNumel dt = slots |> Array.filter (fun s -> s.Tensor.DType = dt) |> Array.fold (fun m s -> max m s.Tensor.Numel) 0
    let s32a, s32b = Array.zeroCreate<float32> (maxNumel Float32), Array.zeroCreate<float32> (maxNumel Float32)
    let s64a, s64b = Array.zeroCreate<float> (maxNumel Float64), Array.zeroCreate<float> (maxNumel Float64)

    let mutable iteration = 0
    let mutable lastLr = nan

    let bufferName (slot: ParamSlot) (state: string) = $"{slot.Name}/{state}"
    let stepName (slot: ParamSlot) = $"{slot.Name}/step"
    let iterationName = "iteration"

    member _.Rule = rule
    member _.Policy = policy
    member _.WeightDecay = weightDecay
    /// The UpdateRule name ("sgd", "adam", …), recorded in saved states.
    member _.Kind = kind
    /// Number of steps taken (the policy's `iter` for the next Step()).
    member _.Iteration = iteration
    /// The rate the next Step() will use.
    member _.CurrentLr = LrPolicy.rate policy iteration
    /// The base rate the last step used (NaN before the first step).
    member _.LastLr = lastLr
    member _.ParameterNames = slots |> Array.map (fun s -> s.Name)

    /// Clears every parameter's gradient (fills it with zeros, keeping the buffer).
    member _.ZeroGrad() =
        for s in slots do s.Tensor.ZeroGrad()

    /// One update with base learning rate `lr`, then Iteration += 1.
    member _.Step(lr: float) =
        if not (Double.IsFinite lr && lr >= 0.0) then
            invalidArg "lr" $"optimiser '{kind}' step {iteration}: learning rate {lr} must be finite and >= 0"
        for slot in slots do
            let g = slot.Tensor.GradRaw
            if not (isNull g) then
                let wRaw = slot.Tensor.Raw
                if g.DType <> wRaw.DType || g.Numel <> wRaw.Numel then
                    invalidOp $"parameter '{slot.Name}': gradient {g.DType} {Shape.show g.Shape} does not match the parameter {wRaw.DType} {Shape.show wRaw.Shape}"
                slot.Steps <- slot.Steps + 1L
                let plr = lr * slot.LrMult
                let wd = weightDecay * slot.DecayMult
                match wRaw with
                | :? RawTensor<float32> as w ->
                    RuleRunner<float32>.Run(rule, slot, w.Data, (g :?> RawTensor<float32>).Data, plr, wd, s32a, s32b)
                | :? RawTensor<float> as w ->
                    RuleRunner<float>.Run(rule, slot, w.Data, (g :?> RawTensor<float>).Data, plr, wd, s64a, s64b)
                | _ -> invalidOp $"parameter '{slot.Name}': unsupported storage {wRaw.GetType().Name}"
        lastLr <- lr
        iteration <- iteration + 1

    /// One update with the policy's rate at the current iteration.
    member this.Step() = this.Step(LrPolicy.rate policy iteration)

    /// The state as one list of named arrays, the form a checkpoint stores (which adds its own
    /// prefix): the state arrays ("conv1.weight/momentum"), then the counters as float64 scalars
    /// (shape [||]) in ordinal name order ("conv1.weight/step", "iteration"). Copies. `Kind` names the rule.
    member _.SaveState() : StateBuffer[] =
        let counters =
            Map.ofList [ yield iterationName, float iteration
                         for s in slots -> stepName s, float s.Steps ]
        [| for s in slots do
               for i in 0 .. stateNames.Length - 1 do
                   yield { Name = bufferName s stateNames[i]
                           Shape = Array.copy s.Tensor.Shape
                           Data = s.Buffers[i].Clone() :?> Array }
           for KeyValue(name, v) in counters -> { Name = name; Shape = [||]; Data = [| v |] } |]

    /// Restores a state written by `SaveState` of an optimiser of rule `kind` with the same parameters;
    /// float64 scalars are counters, everything else a state array. All of it is checked before
    /// anything changes, so a bad state leaves this optimiser intact (ArgumentException naming the entry).
    member _.LoadState(kind': string, state: seq<StateBuffer>) =
        let fail (msg: string) = invalidArg "state" $"optimiser state: {msg}"
        if isNull (box state) then nullArg "state"
        if kind' <> kind then fail $"saved by a '{kind'}' optimiser, cannot restore into '{kind}'"
        let given = Dictionary<string, StateBuffer>(StringComparer.Ordinal)
        let scalars = Dictionary<string, float>(StringComparer.Ordinal)
        for b in state do
            if isNull (box b) || isNull b.Name then fail "a buffer has no name"
            match b.Data with
            | :? (float[]) as d when not (isNull b.Shape) && b.Shape.Length = 0 && d.Length = 1 -> scalars[b.Name] <- d[0]
            | _ -> if not (given.TryAdd(b.Name, b)) then fail $"buffer '{b.Name}' appears twice"
        let counter (name: string) (limit: float) =
            match scalars.TryGetValue name with
            | true, v when v >= 0.0 && v <= limit && Math.Floor v = v -> v
            | true, v -> fail $"counter '{name}' = {v} is not a whole number in [0, {limit}]"
            | _ -> fail $"counter '{name}' is missing"
        let restoredIteration = int (counter iterationName (float Int32.MaxValue))
        let copies = List<Array * Array>()
        let steps =
            [| for s in slots do
                   for i in 0 .. stateNames.Length - 1 do
                       let name = bufferName s stateNames[i]
                       match given.TryGetValue name with
                       | true, b ->
                           if isNull b.Data then fail $"buffer '{name}' has no data"
                           if isNull b.Shape || b.Shape <> s.Tensor.Shape then
                               let shown = if isNull b.Shape then "none" else Shape.show b.Shape
                               fail $"buffer '{name}' has shape {shown}, the parameter has {Shape.show s.Tensor.Shape}"
                           if b.Data.GetType() <> s.Buffers[i].GetType() || b.Data.Length <> s.Buffers[i].Length then
                               fail $"buffer '{name}' holds {b.Data.Length} values of {b.Data.GetType().Name}; expected {s.Buffers[i].Length} of {s.Buffers[i].GetType().Name}"
                           given.Remove name |> ignore
                           copies.Add((b.Data, s.Buffers[i]))
                       | _ -> fail $"buffer '{name}' is missing"
                   yield int64 (counter (stepName s) 9007199254740992.0) |]
        if given.Count > 0 then
            let extra = String.Join(", ", given.Keys |> Seq.truncate 5)
            fail $"buffer(s) for no parameter of this optimiser: {extra}"
        let known = HashSet<string>(slots |> Seq.map stepName, StringComparer.Ordinal)
        known.Add iterationName |> ignore
        for KeyValue(k, _) in scalars do
            if not (known.Contains k) then fail $"counter '{k}' belongs to no parameter of this optimiser"
        for src, dst in copies do Array.Copy(src, dst, dst.Length)
        for i in 0 .. slots.Length - 1 do slots[i].Steps <- steps[i]
        iteration <- restoredIteration
