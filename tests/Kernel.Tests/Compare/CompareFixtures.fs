/// Small trained models for the comparison tests: trained a few steps on synthetic data, so their
/// weights are not the initialiser's symmetric draws.
module InitLab.Kernel.Tests.Compare.CompareFixtures

open InitLab.Kernel
open InitLab.Kernel.Nn
open InitLab.Kernel.Optim

/// Random images [n; 1; 28; 28] and labels from a seed.
let probes (seed: int) (n: int) =
    let gen = Generator(seed)
    Tensor.Rand([| n; 1; 28; 28 |], gen), Array.init n (fun _ -> gen.NextInt 10)

/// `model` after `steps` SGD steps on synthetic batches of 16 (seeded, so repeatable).
let trained (steps: int) (seed: int) (model: Module) =
    let opt = OptimizerSpec.create (OptimizerSpec.parse "sgd:0.9 lr=0.01") model.NamedParameters
    for i in 0 .. steps - 1 do
        let x, y = probes (seed * 1000 + i) 16
        model.Forward(x).CrossEntropy(y).Backward()
        opt.Step()
        opt.ZeroGrad()
    model

let lenet (seed: int) = Models.LeNet5(gen = Generator(seed)) :> Module

/// Paper 001's LeNet: C1 20 filters 7×7, C3 50 filters 5×5 (28 → 22 → 11 → 7 → 3).
let lenet001 (seed: int) =
    let gen = Generator(seed)
    Sequential [
        "c1", Conv2d(1, 20, 7, gen = gen) :> Module
        "relu1", ReLU()
        "s2", MaxPool2d(2)
        "c3", Conv2d(20, 50, 5, gen = gen)
        "relu3", ReLU()
        "s4", MaxPool2d(2)
        "flatten", Flatten()
        "f5", Linear(450, 100, gen = gen)
        "tanh5", Tanh()
        "f6", Linear(100, 10, gen = gen) ] :> Module

/// The host's TwoLayerNet shape: a flatten, then the textbook's Sequential nested inside.
let twoLayer (seed: int) =
    Sequential.OfModules [ Flatten() :> Module; Models.TwoLayerNet(784, 30, 10, weightInit = Init.Gaussian 0.1, gen = Generator(seed)) ] :> Module

let maxAbsDiff (a: float[]) (b: float[]) = Array.fold2 (fun m x y -> max m (abs (x - y))) 0.0 a b
