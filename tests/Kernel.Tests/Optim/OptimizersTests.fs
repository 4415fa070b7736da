module InitLab.Kernel.Tests.Optim.OptimizersTests

open System
open Expecto
open InitLab.Kernel
open InitLab.Kernel.Nn
open InitLab.Kernel.Optim

/// Three steps of `make` on a fresh small model; its final parameters as bits.
let private trained (make: Module -> Optimizer) =
    let m = Models.TwoLayerNet(6, 5, 3, gen = Generator 11)
    let opt = make m
    let x = Tensor.RandN([| 4; 6 |], Generator 12)
    for _ in 1 .. 3 do
        m.Forward(x).CrossEntropy([| 0; 1; 2; 1 |]).Backward()
        opt.Step()
        opt.ZeroGrad()
    opt, m.Parameters |> Array.collect (fun p -> p.ToFloat32Array() |> Array.map BitConverter.SingleToInt32Bits)

let private same (name: string) (factory: Module -> Optimizer) (spec: string) =
    testCase $"{name} equals the spec '{spec}', bit for bit" <| fun () ->
        let a, wa = trained factory
        let b, wb = trained (fun m -> OptimizerSpec.Parse(spec).Create m)
        Expect.equal a.Kind b.Kind "same rule kind"
        Expect.equal a.CurrentLr b.CurrentLr "same rate"
        Expect.sequenceEqual wa wb "same weights"

[<Tests>]
let tests =
    testList "Optim.factories" [
        same "Optimizers.Sgd with Caffe momentum" (fun m -> Optimizers.Sgd(m, 0.05, momentum = 0.9, weightDecay = 5e-4, caffeMomentum = true)) "sgd:0.9 lr=0.05 wd=5e-4"
        same "Optimizers.Adam defaults" (fun m -> Optimizers.Adam(m)) "adam"
        same "Optimizers.Adam on ParametersByName" (fun m -> Optimizers.Adam(m.ParametersByName, lr = 0.01)) "adam lr=0.01"
        same "Optimizers.AdamW" (fun m -> Optimizers.AdamW(m, lr = 0.01)) "adamw lr=0.01 wd=0.01"
        same "Optimizers.RmsProp" (fun m -> Optimizers.RmsProp(m, lr = 0.01)) "rmsprop lr=0.01"
        same "Optimizers.AdaGrad" (fun m -> Optimizers.AdaGrad(m, lr = 0.1)) "adagrad lr=0.1"

        testCase "an impossible option is refused naming it" <| fun () ->
            let m = Models.TwoLayerNet(2, 2, 2, gen = Generator 1)
            let e = Expect.throwsC (fun () -> Optimizers.Adam(m, beta1 = 1.5) |> ignore) id
            Expect.stringContains e.Message "1.5" "names the value"

        testCase "OptimizerSpec.Parse reads back Format" <| fun () ->
            let s = OptimizerSpec.Parse "sgd:0.9 lr=0.01 wd=5e-4 policy=inv:1e-4:0.75 bias_lr=2"
            Expect.equal (OptimizerSpec.Parse(s.Format())) s "round trip"
            Expect.equal s.BaseLr 0.01 "base rate"
            Expect.equal (OptimizerSpec.Parse "caffe-lenet") OptimizerSpec.CaffeLeNet "preset"
    ]
