module InitLab.Kernel.Tests.Nn.ModelsTests

open Expecto
open InitLab.Kernel
open InitLab.Kernel.Init
open InitLab.Kernel.Nn

[<Tests>]
let tests =
    testList "Nn.models" [
        testCase "LeNet5: Caffe's parameter names, shapes and count" <| fun () ->
            let m = Models.LeNet5(gen = Generator(1))
            let expected =
                [| "conv1.weight", [| 20; 1; 5; 5 |]; "conv1.bias", [| 20 |]
                   "conv2.weight", [| 50; 20; 5; 5 |]; "conv2.bias", [| 50 |]
                   "ip1.weight", [| 500; 800 |]; "ip1.bias", [| 500 |]
                   "ip2.weight", [| 10; 500 |]; "ip2.bias", [| 10 |] |]
            Expect.equal (m.NamedParameters |> Array.map (fun (n, p) -> n, p.Shape)) expected "names and shapes"
            // Caffe's LeNet has 431,080 learnable parameters
            Expect.equal m.ParameterCount 431080L "count"

        testCase "LeNet5 forward on [2; 1; 28; 28] gives [2; 10]; backward reaches every parameter" <| fun () ->
            let m = Models.LeNet5(gen = Generator(2))
            let y = m.Forward(Tensor.RandN([| 2; 1; 28; 28 |], Generator(3)))
            Expect.equal y.Shape [| 2; 10 |] "logits"
            y.CrossEntropy([| 3; 9 |]).Backward()
            for name, p in m.NamedParameters do
                Expect.isNotNull p.Grad $"{name} has a gradient"
                Expect.equal p.Grad.Shape p.Shape $"{name} gradient shape"

        testCase "LeNet5 default init: Caffe xavier (fan-in) weights within √(3/fan_in), zero biases" <| fun () ->
            let m = Models.LeNet5(gen = Generator(4))
            for name, fanIn in [ "conv1.weight", 25; "conv2.weight", 500; "ip1.weight", 800; "ip2.weight", 500 ] do
                let p = m.NamedParameters |> Array.find (fst >> (=) name) |> snd
                let bound = sqrt (3.0 / float fanIn)
                let v = p.ToArray()
                Expect.isTrue (v |> Array.forall (fun w -> abs w <= bound * (1.0 + 1e-6))) $"{name} within ±{bound}"
                Expect.isTrue (v |> Array.exists (fun w -> abs w > bound / 2.0)) $"{name} spreads over the range"
            for name, p in m.NamedParameters do
                if name.EndsWith ".bias" then Expect.allEqual (p.ToArray()) 0.0 $"{name} zero"

        testCase "LeNet5 weight initialiser is an argument" <| fun () ->
            let m = Models.LeNet5(weightInit = Msra FanIn, biasInit = Constant 0.1, gen = Generator(5))
            let ip1 = (m["ip1"] :?> Linear)
            // N(0, 2/800): a normal draw of 400k values exceeds the uniform xavier bound √(3/800) somewhere
            Expect.isTrue (ip1.Weight.ToArray() |> Array.exists (fun w -> abs w > sqrt (3.0 / 800.0))) "normal tails"
            Expect.allEqual (ip1.Bias.ToArray()) (float 0.1f) "bias constant"

        testCase "determinism: two LeNets from the same seed are bit-identical, another seed differs" <| fun () ->
            let bits (m: Module) = m.Parameters |> Array.map (fun p -> p.ToFloat32Array())
            let a, b, c = Models.LeNet5(gen = Generator(42)), Models.LeNet5(gen = Generator(42)), Models.LeNet5(gen = Generator(43))
            Expect.equal (bits a) (bits b) "same seed"
            Expect.notEqual (bits a) (bits c) "different seed"
            let x = Tensor.RandN([| 2; 1; 28; 28 |], Generator(1))
            Expect.equal (a.Forward(x).ToFloat32Array()) (b.Forward(x).ToFloat32Array()) "same outputs"

        testCase "TwoLayerNet: textbook names, sigmoid hidden layer, 0.01·N(0,1) weights, zero biases" <| fun () ->
            let m = Models.TwoLayerNet(784, 50, 10, gen = Generator(6))
            Expect.equal (m.NamedParameters |> Array.map (fun (n, p) -> n, p.Shape))
                [| "affine1.weight", [| 50; 784 |]; "affine1.bias", [| 50 |]; "affine2.weight", [| 10; 50 |]; "affine2.bias", [| 10 |] |] "names"
            Expect.isTrue (m["sigmoid1"] :? Sigmoid) "sigmoid hidden activation"
            let w = m.Parameters[0].ToArray()
            let sd = sqrt (Array.averageBy (fun x -> x * x) w)
            // 39,200 normal draws: the sample sd is within 5 standard errors (0.01/√(2n)) of 0.01
            Expect.isTrue (abs (sd - 0.01) < 5.0 * 0.01 / sqrt (2.0 * float w.Length)) $"sd {sd}"
            Expect.allEqual (m.Parameters[1].ToArray()) 0.0 "zero bias"
            Expect.equal (m.Forward(Tensor.Zeros [| 3; 784 |])).Shape [| 3; 10 |] "output shape"
    
        testCase "Models.Create: the registry builds each named network as its own constructor does, and refuses unknown names" <| fun () ->
            let bits (m: Module) = m.NamedParameters |> Array.map (fun (n, p) -> n, p.ToArray())
            Expect.equal (bits (Models.Create("lenet5", Generator 4))) (bits (Models.LeNet5(gen = Generator 4))) "lenet5"
            Expect.equal (bits (Models.Create("lenet5", Generator 4, "msra"))) (bits (Models.LeNet5(weightInit = Initializer.Parse "msra", gen = Generator 4))) "lenet5 with an initialiser"
            let two = Models.Create("twolayer", Generator 4)
            Expect.equal (bits two |> Array.map snd) (bits (Models.TwoLayerNet(784, 50, 10, gen = Generator 4)) |> Array.map snd) "twolayer weights"
            Expect.equal (two.Forward(Tensor.Zeros [| 2; 1; 28; 28 |])).Shape [| 2; 10 |] "twolayer takes images"
            Expect.equal (bits (Models.Create("digitcnn003", Generator 4))) (bits (SequenceNets.DigitCnn(DigitCnnSpec.Paper, Generator 4))) "digitcnn003"
            Expect.equal (bits (Models.Create("digitcnn003", Generator 4, "msra")))
                         (bits (SequenceNets.DigitCnn({ DigitCnnSpec.Paper with WeightInit = Initializer.Parse "msra" }, Generator 4))) "digitcnn003 with an initialiser"
            Expect.equal ((Models.Create("digitcnn003", Generator 4)).Forward(Tensor.Zeros [| 2; 1; 28; 28 |])).Shape [| 2; 10 |] "digitcnn003 takes images"
            Expect.equal (bits (Models.Create("paper001-lenet", Generator 4))) (bits (Paper001LeNet.Create(1, 28, 28, 10, gen = Generator 4))) "paper001-lenet is paper 001's LeNet for MNIST"
            for name in Models.Names do Expect.isGreaterThan (Models.Create(name, Generator 1)).ParameterCount 0L name
            let e = Expect.throwsC (fun () -> Models.Create("resnet", Generator 1) |> ignore) id
            Expect.stringContains e.Message "'resnet'" "names the bad name"
            Expect.stringContains e.Message "lenet5, twolayer" "lists the good ones"
    ]
