module InitLab.Kernel.Tests.Nn.LayerTests

open System
open Expecto
open InitLab.Kernel
open InitLab.Kernel.Init
open InitLab.Kernel.Nn

let private randn (shape: int[]) (seed: int) = Tensor.RandN(shape, Generator(seed))

[<Tests>]
let tests =
    testList "Nn.layers" [
        testCase "Linear: shapes, names, and y = x·Wᵀ + b computed by hand" <| fun () ->
            let l = Linear(3, 4, gen = Generator(1))
            Expect.equal (l.NamedParameters |> Array.map (fun (n, p) -> n, p.Shape)) [| "weight", [| 4; 3 |]; "bias", [| 4 |] |] "parameters"
            let x = randn [| 5; 3 |] 2
            let y = l.Forward x
            Expect.equal y.Shape [| 5; 4 |] "output shape"
            let xv, w, b, yv = x.ToArray(), l.Weight.ToArray(), l.Bias.ToArray(), y.ToArray()
            for n in 0 .. 4 do
                for o in 0 .. 3 do
                    let expected = b[o] + Seq.sum (seq { for i in 0 .. 2 -> xv[n * 3 + i] * w[o * 3 + i] })
                    Expect.floatClose Accuracy.medium yv[n * 4 + o] expected $"y[{n},{o}]"

        testCase "Linear without bias has only a weight; its default init is U(±1/√in)" <| fun () ->
            let l = Linear(50, 7, bias = false, gen = Generator(1))
            Expect.equal (l.NamedParameters |> Array.map fst) [| "weight" |] "names"
            Expect.isNull l.Bias "no bias"
            let bound = 1.0 / sqrt 50.0
            Expect.isTrue (l.Weight.ToArray() |> Array.forall (fun w -> abs w <= bound)) "within the PyTorch bound"
            Expect.isTrue (l.Parameters |> Array.forall (fun p -> p.RequiresGrad && p.IsLeaf)) "parameters are leaves requiring grad"

        testCase "Linear rejects inputs with the wrong feature count, naming the shape" <| fun () ->
            let e = Expect.throwsC (fun () -> Linear(8, 2).Forward(Tensor.Zeros [| 3; 5 |]) |> ignore) id
            Expect.stringContains e.Message "[3; 5]" "shape in message"

        testCase "Conv2d: output shape with stride and padding, parameter shapes" <| fun () ->
            let c = Conv2d(2, 3, 3, stride = 2, padding = 1, gen = Generator(1))
            Expect.equal c.Weight.Shape [| 3; 2; 3; 3 |] "OIHW weight"
            Expect.equal c.Bias.Shape [| 3 |] "bias"
            Expect.equal (c.Forward(randn [| 2; 2; 7; 7 |] 3)).Shape [| 2; 3; 4; 4 |] "(7 + 2 − 3)/2 + 1 = 4"
            Expect.equal (Conv2d(1, 20, 5).Forward(Tensor.Zeros [| 1; 1; 28; 28 |])).Shape [| 1; 20; 24; 24 |] "LeNet conv1"

        testCase "Conv2d rejects a wrong channel count, naming the shape" <| fun () ->
            let e = Expect.throwsC (fun () -> Conv2d(3, 4, 3).Forward(Tensor.Zeros [| 1; 1; 8; 8 |]) |> ignore) id
            Expect.stringContains e.Message "[1; 1; 8; 8]" "shape in message"

        testCase "pools: shapes, max picks the window maximum, average of a constant is the constant" <| fun () ->
            let x = Tensor.Arange(36.0).Reshape([| 1; 1; 6; 6 |])
            let m = MaxPool2d(2).Forward x
            Expect.equal m.Shape [| 1; 1; 3; 3 |] "max shape"
            // window (r, c) covers rows 2r, 2r+1 and cols 2c, 2c+1; its max is at (2r+1, 2c+1)
            Expect.equal (m.ToArray()) [| for r in 0 .. 2 do for c in 0 .. 2 -> float ((2 * r + 1) * 6 + 2 * c + 1) |] "max values"
            let a = AvgPool2d(3, 1).Forward(Tensor.Full([| 2; 3; 5; 5 |], 1.5))
            Expect.equal a.Shape [| 2; 3; 3; 3 |] "avg shape"
            Expect.allEqual (a.ToArray()) 1.5 "avg of constant"

        testCase "pools reject impossible sizes and inputs, naming the layer and the shape" <| fun () ->
            for make in [ (fun () -> MaxPool2d(0) :> Pool2d); (fun () -> AvgPool2d(2, -1) :> Pool2d) ] do
                Expect.throwsT<ArgumentException> (fun () -> make () |> ignore) "non-positive size"
            let e = Expect.throwsC (fun () -> AvgPool2d(3).Forward(Tensor.Zeros [| 1; 1; 2; 5 |]) |> ignore) id
            Expect.stringContains e.Message "AvgPool2d(3×3, stride 3): input [1; 1; 2; 5] is smaller than the 3×3 window" "layer, shape and window"
            let e = Expect.throwsC (fun () -> MaxPool2d(2).Forward(Tensor.Zeros [| 4; 4 |]) |> ignore) id
            Expect.stringContains e.Message "expected input [N; C; H; W], got [4; 4]" "rank"

        testCase "activations and Flatten" <| fun () ->
            let x = Tensor.OfArray([| -2.0f; 0.0f; 3.0f |])
            Expect.equal ((ReLU()).Forward(x).ToArray()) [| 0.0; 0.0; 3.0 |] "relu"
            Expect.floatClose Accuracy.high ((Sigmoid()).Forward(x).ToArray()[1]) 0.5 "sigmoid(0)"
            Expect.floatClose Accuracy.medium ((Tanh()).Forward(x).ToArray()[2]) (tanh 3.0) "tanh(3)"
            Expect.equal ((Flatten()).Forward(Tensor.Zeros [| 2; 3; 4; 5 |])).Shape [| 2; 60 |] "flatten"

        testCase "Dropout: zeroes or scales by 1/(1−p) in training; Eval makes it the identity" <| fun () ->
            let d = Dropout(0.5, Generator(3))
            let x = Tensor.Ones [| 1000 |]
            let y = d.Forward(x).ToArray()
            Expect.isTrue (y |> Array.forall (fun v -> v = 0.0 || v = 2.0)) "0 or 2"
            let dropped = y |> Array.filter ((=) 0.0) |> Array.length
            // Binomial(1000, 0.5): sd ≈ 15.8, 5 sd band
            Expect.isTrue (abs (dropped - 500) < 80) $"about half dropped ({dropped})"
            d.Eval() |> ignore
            Expect.isFalse d.IsTraining "eval"
            Expect.equal (d.Forward(x).ToArray()) (x.ToArray()) "identity in eval"

        testCase "Eval/Train propagate through a Sequential" <| fun () ->
            let model = Sequential [ "fc", Linear(4, 4, gen = Generator(1)) :> Module; "drop", Dropout(0.9, Generator(2)) ]
            let x = randn [| 3; 4 |] 5
            model.Eval() |> ignore
            Expect.isFalse model["drop"].IsTraining "child in eval"
            let reference = (model["fc"].Forward x).ToArray()
            Expect.equal (model.Forward(x).ToArray()) reference "dropout off in eval"
            model.Train() |> ignore
            Expect.isTrue model["drop"].IsTraining "child in training"
            Expect.notEqual (model.Forward(x).ToArray()) reference "dropout on in training"

        testCase "Sequential: dotted names in child order; forward is the composition" <| fun () ->
            let fc1, fc2 = Linear(3, 5, gen = Generator(1)), Linear(5, 2, bias = false, gen = Generator(2))
            let model = Sequential [ "fc1", fc1 :> Module; "act", Tanh(); "fc2", fc2 ]
            Expect.equal (model.NamedParameters |> Array.map fst) [| "fc1.weight"; "fc1.bias"; "fc2.weight" |] "names"
            Expect.isTrue (Object.ReferenceEquals(model.Parameters[2], fc2.Weight)) "same tensor objects"
            Expect.equal model.ParameterCount (int64 (3 * 5 + 5 + 5 * 2)) "count"
            let x = randn [| 4; 3 |] 9
            Expect.equal (model.Forward(x).ToArray()) (fc2.Forward(fc1.Forward(x).Tanh()).ToArray()) "composition"

        testCase "Sequential rejects duplicate, empty or dotted child names" <| fun () ->
            for names in [ [ "a"; "a" ]; [ ""; "b" ]; [ "a.b"; "c" ] ] do
                Expect.throwsT<ArgumentException> (fun () -> Sequential(names |> List.map (fun n -> n, ReLU() :> Module)) |> ignore) $"{names}"

        testCase "--> composes modules; positional children are renumbered, named ones kept" <| fun () ->
            let a, b, c = Linear(2, 3, gen = Generator(1)), ReLU(), Linear(3, 1, gen = Generator(2))
            let m = a --> b --> c
            Expect.equal (m.Children |> Array.map fst) [| "0"; "1"; "2" |] "positional names"
            Expect.equal (m.NamedParameters |> Array.map fst) [| "0.weight"; "0.bias"; "2.weight"; "2.bias" |] "parameter names"
            let x = randn [| 5; 2 |] 3
            Expect.equal (m.Forward(x).ToArray()) (c.Forward(b.Forward(a.Forward x)).ToArray()) "forward"
            let named = Sequential [ "enc", Linear(2, 3, gen = Generator(4)) :> Module ] --> Sigmoid()
            Expect.equal (named.Children |> Array.map fst) [| "enc"; "1" |] "named child kept"
            let both = (a --> b) --> (c --> Tanh())
            Expect.equal both.Count 4 "spliced"

        testCase "Lambda wraps a function as a parameter-free module" <| fun () ->
            let m = Lambda("half", fun x -> x * 0.5) --> Linear(2, 2, gen = Generator(1))
            Expect.equal (m.NamedParameters |> Array.map fst) [| "1.weight"; "1.bias" |] "names"
            Expect.equal (m.Forward(Tensor.Ones [| 1; 2 |])).Shape [| 1; 2 |] "shape"

        testCase "ToString shows the module tree" <| fun () ->
            let text = (Models.LeNet5(gen = Generator(1))).ToString()
            for part in [ "conv1: Conv2d(1 → 20, 5×5)"; "pool2: MaxPool2d(2×2, stride 2)"; "ip1: Linear(800 → 500)" ] do
                Expect.stringContains text part part

        testCase "the default generator: same ManualSeed and order ⇒ identical layers" <| fun () ->
            DefaultGenerator.ManualSeed 11
            let a = Linear(6, 6)
            let a2 = Linear(6, 6)
            DefaultGenerator.ManualSeed 11
            let b = Linear(6, 6)
            Expect.equal (a.Weight.ToArray()) (b.Weight.ToArray()) "same seed, same first layer"
            Expect.notEqual (a.Weight.ToArray()) (a2.Weight.ToArray()) "successive layers differ"
    ]
