/// The optimiser around the rules: convergence, multipliers, state save/restore, validation,
/// allocation-free steps and the declarative spec.
module InitLab.Kernel.Tests.Optim.OptimizerTests

open System
open Expecto
open InitLab.Kernel
open InitLab.Kernel.Optim
open InitLab.Kernel.Tests.Optim.Quadratic

let private allRules =
    [ Sgd(0.0, 0.0, false, Caffe); Sgd(0.9, 0.0, false, Caffe); Sgd(0.9, 0.5, false, PyTorch)
      Sgd(0.9, 0.0, true, PyTorch); AdaGrad 1e-10; RmsProp(0.99, 1e-8, 0.0); RmsProp(0.9, 1e-8, 0.5)
      Adam(0.9, 0.999, 1e-8, false); Adam(0.9, 0.999, 1e-8, true) ]

/// Float bits of a parameter, for bit-for-bit comparisons.
let private bits (t: Tensor) =
    match t.DType with
    | Float32 -> t.ToFloat32Array() |> Array.map (fun x -> int64 (BitConverter.SingleToInt32Bits x))
    | Float64 -> t.ToArray() |> Array.map BitConverter.DoubleToInt64Bits

let private expectArgError (f: unit -> unit) (mentions: string list) what =
    let e = Expect.throwsC f id
    Expect.isTrue (e :? ArgumentException || e :? InvalidOperationException) $"{what}: {e.GetType().Name} is an argument/operation error"
    for m in mentions do
        Expect.stringContains e.Message m $"{what}: the message names '{m}'"

/// The counters of a saved state (its float64 scalars) by name.
let private counters (opt: Optimizer) =
    opt.SaveState()
    |> Array.choose (fun b -> match b.Data with
                              | :? (float[]) as d when b.Shape.Length = 0 -> Some(b.Name, d[0])
                              | _ -> None)
    |> Map.ofArray

let private counter (name: string) (value: float) : StateBuffer = { Name = name; Shape = [||]; Data = [| value |] }

[<Tests>]
let tests =
    testList "Optim.Optimizer" [
        testCase "every rule drives the quadratic to its minimum through autodiff gradients" <| fun () ->
            for rule in allRules do
                let w = param w0
                let baseLr = match rule with RmsProp(_, _, m) when m > 0.0 -> 0.02 | Adam _ | RmsProp _ -> 0.05 | AdaGrad _ -> 0.5 | Sgd(0.0, _, _, _) -> 0.4 | _ -> 0.1
                let policy = Exp(baseLr, 0.995)
                let opt = Optimizer([ "w", w ], rule, policy)
                let start = value (w.ToArray())
                for _ in 1 .. 400 do
                    opt.ZeroGrad()
                    (loss w).Backward()
                    opt.Step()
                let final = value (w.ToArray())
                Expect.isLessThan final (1e-6 * start) $"{UpdateRule.name rule} ({UpdateRule.format rule}): f went from {start} to {final}"
                Expect.equal opt.Iteration 400 "iteration counts steps"

        testCase "lr and decay multipliers are applied per parameter name" <| fun () ->
            let lr, wd = 0.1, 0.01
            let weight, bias = param w0, param [| 0.5; -1.0 |]
            let opt =
                Optimizer([ "fc.weight", weight; "fc.bias", bias ], Sgd(0.0, 0.0, false, Caffe), Fixed lr, weightDecay = wd,
                          lrMult = (fun n -> if n.EndsWith ".bias" then 2.0 else 1.0),
                          decayMult = (fun n -> if n.EndsWith ".bias" then 0.0 else 1.0))
            setGrad weight
            bias.SetGrad(Tensor.OfArray([| 3.0; 4.0 |]))
            opt.Step()
            close (weight.ToArray()) (w0 |> Array.mapi (fun i w -> w - lr * (a[i] * w + wd * w))) "weight: lr·1, decay·1"
            close (bias.ToArray()) [| 0.5 - 2.0 * lr * 3.0; -1.0 - 2.0 * lr * 4.0 |] "bias: lr·2, decay·0"

        testCase "the spec's bias multipliers reach the optimiser" <| fun () ->
            let spec = { OptimizerSpec.parse "sgd lr=0.1 wd=0.01" with BiasLrMult = 2.0; BiasDecayMult = 0.0 }
            let weight, bias = param w0, param [| 0.5 |]
            let opt = OptimizerSpec.create spec [ "conv1.weight", weight; "conv1.bias", bias ]
            setGrad weight
            bias.SetGrad(Tensor.OfArray([| 3.0 |]))
            opt.Step()
            close (bias.ToArray()) [| 0.5 - 0.2 * 3.0 |] "bias"
            close (weight.ToArray()) (w0 |> Array.mapi (fun i w -> w - 0.1 * (a[i] * w + 0.01 * w))) "weight"

        testCase "parameters without a gradient are left alone" <| fun () ->
            let used, unused = param w0, param [| 1.0; 2.0 |]
            let opt = Optimizer([ "used", used; "unused", unused ], Adam(0.9, 0.999, 1e-8, false), Fixed 0.1, weightDecay = 0.1)
            setGrad used
            opt.Step()
            Expect.equal (unused.ToArray()) [| 1.0; 2.0 |] "no gradient, no update (not even decay)"
            Expect.notEqual (used.ToArray()) w0 "the other parameter moved"
            let steps = counters opt
            Expect.equal steps["used/step"] 1.0 "used counted one step"
            Expect.equal steps["unused/step"] 0.0 "unused counted none"

        testCase "save, restore and continue is bit-identical to running on (float32 and float64)" <| fun () ->
            for rule in allRules do
                for make in [ param; param32 ] do
                    let spec = { Rule = rule; Policy = Inv(0.05, 1e-2, 0.75); WeightDecay = 1e-3; BiasLrMult = 2.0; BiasDecayMult = 0.0 }
                    let mkParams (w: float[]) (b: float[]) = [ "l.weight", make w; "l.bias", make b ]
                    let stepAll (opt: Optimizer) (ps: (string * Tensor) list) =
                        opt.ZeroGrad()
                        for _, p in ps do (loss p).Backward()
                        opt.Step()
                    let ps = mkParams w0 [| 0.3; -0.7; 1.1; 2.0 |]
                    let opt = OptimizerSpec.create spec ps
                    for _ in 1 .. 3 do stepAll opt ps
                    let saved = opt.SaveState()
                    let savedValues = ps |> List.map (fun (_, p) -> p.ToArray())
                    for _ in 1 .. 4 do stepAll opt ps
                    // a fresh optimiser over parameters restored from the same point
                    let ps2 = mkParams savedValues[0] savedValues[1]
                    let opt2 = OptimizerSpec.create spec ps2
                    opt2.LoadState(opt.Kind, saved)
                    Expect.equal opt2.Iteration 3 "iteration restored"
                    for _ in 1 .. 4 do stepAll opt2 ps2
                    for (n, p), (_, q) in List.zip ps ps2 do
                        Expect.equal (bits q) (bits p) $"{UpdateRule.name rule} {p.DType} {n}: continuation is bit-identical"
                    Expect.equal (counters opt2) (counters opt) "counters agree"

        testCase "SaveState is a snapshot: later steps do not change it, float32 state stays float32" <| fun () ->
            let w = param32 w0
            let opt = Optimizer([ "w", w ], Sgd(0.9, 0.0, false, Caffe), Fixed 0.1)
            setGrad w
            opt.Step()
            let s = opt.SaveState()
            let before = (s[0].Data :?> float32[]) |> Array.copy
            setGrad w
            opt.Step()
            Expect.equal opt.Kind "sgd" "kind"
            Expect.equal s[0].Name "w/momentum" "buffer name"
            Expect.equal s[0].Shape [| 4 |] "buffer shape"
            Expect.equal (s[0].Data :?> float32[]) before "snapshot unchanged"
            let live = opt.SaveState()
            Expect.notEqual (live[0].Data :?> float32[]) before "live state moved on"

        testCase "a bad state is rejected with its name and leaves the optimiser unchanged" <| fun () ->
            let w = param w0
            let opt = Optimizer([ "w", w ], Adam(0.9, 0.999, 1e-8, false), Fixed 0.1)
            setGrad w
            opt.Step()
            let good = opt.SaveState()
            let buffers = good |> Array.filter (fun b -> b.Shape.Length > 0)
            Expect.equal (buffers |> Array.map _.Name) [| "w/exp_avg"; "w/exp_avg_sq" |] "the state arrays"
            let checkKind kind (bad: StateBuffer[]) (mentions: string list) what =
                expectArgError (fun () -> opt.LoadState(kind, bad)) mentions what
                Expect.sequenceEqual (opt.SaveState()) good $"{what}: state unchanged"
                Expect.equal opt.Iteration 1 $"{what}: iteration unchanged"
            let check = checkKind opt.Kind
            let withBuffer i f = good |> Array.mapi (fun j b -> if i = j then f b else b)
            let withCounters cs = Array.append buffers [| for n, v in cs -> counter n v |]
            checkKind "sgd" good [ "sgd"; "adam" ] "wrong kind"
            check good[1..] [ "w/exp_avg" ] "missing buffer"
            check (withBuffer 1 (fun b -> { b with Shape = [| 2; 2 |] })) [ "w/exp_avg_sq"; "[2; 2]" ] "wrong shape"
            check (withBuffer 0 (fun b -> { b with Data = Array.zeroCreate<float32> 4 })) [ "w/exp_avg"; "Single" ] "wrong dtype"
            check (Array.append good [| { Name = "v/exp_avg"; Shape = [| 4 |]; Data = Array.zeroCreate<float> 4 } |]) [ "v/exp_avg" ] "extra buffer"
            check (withCounters [ "iteration", 1.5; "w/step", 1.0 ]) [ "iteration"; "1.5" ] "fractional counter"
            check (withCounters [ "iteration", 1.0 ]) [ "w/step" ] "missing counter"

        testCase "impossible learning rates and parameters are clear errors" <| fun () ->
            let w = param w0
            let opt = Optimizer([ "w", w ], Sgd(0.9, 0.0, false, Caffe), Fixed 0.1)
            setGrad w
            expectArgError (fun () -> opt.Step nan) [ "NaN" ] "NaN lr"
            expectArgError (fun () -> opt.Step -0.5) [ "-0.5" ] "negative lr"
            expectArgError (fun () -> opt.Step infinity) [ "learning rate" ] "infinite lr"
            Expect.equal (w.ToArray()) w0 "rejected steps change nothing"
            Expect.equal opt.Iteration 0 "rejected steps do not count"
            expectArgError (fun () -> Optimizer([ "w", param w0 ], Sgd(0.9, 0.0, false, Caffe), Fixed 0.1, weightDecay = -1.0) |> ignore) [ "-1" ] "negative decay"
            expectArgError (fun () -> Optimizer([ "w", param w0 ], Sgd(1.5, 0.0, false, Caffe), Fixed 0.1) |> ignore) [ "momentum"; "1.5" ] "momentum > 1"
            expectArgError (fun () -> Optimizer([ "w", param w0 ], Adam(0.9, 1.0, 1e-8, false), Fixed 0.1) |> ignore) [ "beta2"; "1" ] "beta2 = 1"
            expectArgError (fun () -> Optimizer([ "w", param w0 ], Sgd(0.0, 0.0, true, PyTorch), Fixed 0.1) |> ignore) [ "Nesterov" ] "nesterov without momentum"
            expectArgError (fun () -> Optimizer([ "w", param w0 ], AdaGrad nan, Fixed 0.1) |> ignore) [ "eps"; "NaN" ] "NaN eps"
            expectArgError (fun () -> Optimizer([ "w", param w0 ], AdaGrad 0.1, Fixed -0.1) |> ignore) [ "-0.1" ] "negative base lr"
            let p = param w0
            expectArgError (fun () -> Optimizer([ "w", p; "w", param w0 ], AdaGrad 0.1, Fixed 0.1) |> ignore) [ "'w'"; "twice" ] "duplicate name"
            expectArgError (fun () -> Optimizer([ "a", p; "b", p ], AdaGrad 0.1, Fixed 0.1) |> ignore) [ "'b'" ] "same tensor twice"
            expectArgError (fun () -> Optimizer([ "frozen", Tensor.OfArray w0 ], AdaGrad 0.1, Fixed 0.1) |> ignore) [ "'frozen'"; "RequireGrad" ] "no grad"
            expectArgError (fun () -> Optimizer([ "w", param w0 ], AdaGrad 0.1, Fixed 0.1, lrMult = (fun _ -> nan)) |> ignore) [ "lrMult"; "'w'"; "NaN" ] "NaN multiplier"

        testCase "after the first step, steps allocate nothing" <| fun () ->
            for rule in allRules do
                let w, w32 = param w0, param32 w0
                let opt = Optimizer([ "w", w; "w32", w32 ], rule, MultiStep(0.01, 0.5, [| 5; 10 |]), weightDecay = 1e-4)
                setGrad w
                setGrad w32
                for _ in 1 .. 3 do opt.Step()
                let before = GC.GetAllocatedBytesForCurrentThread()
                for _ in 1 .. 50 do
                    opt.Step()
                    opt.Step 0.01
                let allocated = GC.GetAllocatedBytesForCurrentThread() - before
                Expect.equal allocated 0L $"{UpdateRule.name rule}: bytes allocated by 100 steps"

        testCase "spec strings parse, round-trip and reject nonsense by name" <| fun () ->
            let s = OptimizerSpec.parse "sgd:0.9 lr=0.01 wd=5e-4 policy=inv:1e-4:0.75 bias_lr=2"
            Expect.equal s.Rule (Sgd(0.9, 0.0, false, Caffe)) "rule"
            Expect.equal s.Policy (Inv(0.01, 1e-4, 0.75)) "policy carries the base rate"
            Expect.equal (s.WeightDecay, s.BiasLrMult, s.BiasDecayMult) (5e-4, 2.0, 1.0) "decay and multipliers"
            Expect.equal (OptimizerSpec.parse "adam").Policy (Fixed 1e-3) "Adam's default rate"
            Expect.equal (OptimizerSpec.parse "adam").Rule (Adam(0.9, 0.999, 1e-8, false)) "PyTorch Adam defaults"
            Expect.equal (OptimizerSpec.parse "rmsprop").Rule (RmsProp(0.99, 1e-8, 0.0)) "PyTorch RMSProp defaults"
            Expect.equal (OptimizerSpec.parse "caffe-lenet") OptimizerSpec.caffeLeNet "preset"
            Expect.equal (OptimizerSpec.parse (OptimizerSpec.format OptimizerSpec.caffeLeNet)) OptimizerSpec.caffeLeNet "preset spelled out"
            for text in [ "sgd"; "sgd:0.9"; "sgd-torch:0.9:0.1"; "nesterov:0.95"; "adagrad"; "rmsprop:0.9:1e-6:0.5"; "adamw:0.8:0.99:1e-7 wd=0.01"
                          "sgd:0.9 lr=0.1 policy=multistep:0.1:100,200,300"; "adam policy=cosine:1000:1e-5"; "sgd policy=poly:0.9:5000" ] do
                let spec = OptimizerSpec.parse text
                Expect.equal (OptimizerSpec.parse (OptimizerSpec.format spec)) spec $"'{text}' round-trips through format"
            for text, mentions in
                [ "", [ "empty" ]; "sgdx", [ "sgdx" ]; "sgd:abc", [ "abc" ]; "sgd:1.2", [ "1.2" ]; "adam:0.9:0.999:1e-8:7", [ "at most 3" ]
                  "nesterov", [ "momentum" ]; "sgd lr=-1", [ "-1" ]; "sgd lr=fast", [ "fast" ]; "sgd speed=3", [ "speed" ]
                  "sgd wd=0.1 wd=0.2", [ "twice" ]; "sgd policy=step:0.1:0", [ "stepsize"; "0" ]; "sgd policy=warp", [ "warp" ]
                  "sgd policy=multistep:0.1:200,100", [ "200"; "100" ]; "sgd policy=cosine:100:0.5", [ "0.5"; "exceeds" ]
                  "caffe-lenet wd=0", [ "caffe-lenet"; "policy=inv:0.0001:0.75" ] ] do
                expectArgError (fun () -> OptimizerSpec.parse text |> ignore) mentions $"'{text}'"
    ]
