module InitLab.Host.Tests.Studies.NetworkComparisonTests

open System
open Expecto
open InitLab.Data
open InitLab.Kernel
open InitLab.Kernel.Compare
open InitLab.Kernel.Nn
open InitLab.Kernel.Optim
open InitLab.Reports
open InitLab.Studies.Comparison
open InitLab.Training

/// A LeNet-5 trained a few SGD steps on synthetic digits (so its weights are not the initialiser's).
let private trained (seed: int) (data: DataSet) =
    let model = Models.Create("lenet5", Generator(seed))
    let opt = OptimizerSpec.create (OptimizerSpec.parse "sgd:0.9 lr=0.01") model.NamedParameters
    let x = Tensor.Wrap(data.ToFloats PixelScale.Caffe256, [| data.Count; 1; 28; 28 |])
    for i in 0 .. 3 do
        let batch = x.Narrow(0, i * 16, 16)
        model.Forward(batch).CrossEntropy(data.Labels[i * 16 .. i * 16 + 15]).Backward()
        opt.Step()
        opt.ZeroGrad()
    model

[<Tests>]
let tests =
    testList "studies.comparison" [
        test "a permuted copy is aligned back (distance 0, CKA 1, flat path); tables and report follow" {
            let chars, mnist = SyntheticDigits.Generate(64, 3), SyntheticDigits.Generate(64, 4)
            let a1, a2 = trained 1 chars, trained 2 chars
            // model 1 of the second group is model 1 of the first with its hidden units shuffled
            let g = Generator(9)
            let shuffled = WeightMatching.permute a1 [| "conv1", g.Permutation 20; "conv2", g.Permutation 50; "ip1", g.Permutation 500 |]
            let first = ModelGroup("Chars", [| a1; a2 |], chars)
            let second = ModelGroup("MNIST", [| shuffled; trained 3 mnist |], mnist)
            let options = ComparisonOptions(ProbeCount = 40, InterpolationPoints = 5, EvaluationLimit = 32)
            let r = NetworkComparison.Compare(first, second, mnist, options)
            Expect.equal (r.Layers |> Seq.toList) [ "conv1"; "pool1"; "conv2"; "pool2"; "ip1"; "relu1"; "ip2" ] "layers, flatten left out"
            Expect.equal r.Pairs.Count 4 "Chars1–2, MNIST1–2, Chars1–MNIST1, Chars2–MNIST2"
            let twin = r.SameInit |> Seq.find (fun p -> p.First = "Chars1")
            Expect.isGreaterThan twin.DistanceBefore 1.0 "the shuffled copy is far apart position by position"
            Expect.equal twin.DistanceAfter 0.0 "aligned back exactly"
            Expect.equal twin.PermutationShare 1.0 "all of that distance was permutation"
            for c in Seq.append twin.LayerCka twin.LayerCkaDebiased do Expect.floatClose Accuracy.low c 1.0 "CKA ignores unit order"
            for path in twin.Paths do
                Expect.equal path.BarrierAfter 0.0 $"{path.DataName}: the aligned path joins a model to itself"
                Expect.isGreaterThan path.BarrierBefore path.BarrierAfter $"{path.DataName}: the unaligned path has a barrier"
            Expect.equal (twin.Paths |> Seq.map _.DataName |> Seq.toList) [ chars.Name; mnist.Name ] "same-init pairs are scored on both sets"
            let other = r.DifferentInit |> Seq.find (fun p -> p.Group = "Chars")
            Expect.isLessThan other.DistanceAfter other.DistanceBefore "alignment brings independent models closer"
            Expect.isGreaterThan other.UnitsMoved 0 "and moves units"
            let m = r.DistanceMatrix("Chars", true)
            Expect.equal m[0, 1] other.DistanceAfter "Table 2 after alignment"
            Expect.equal m[1, 0] m[0, 1] "symmetric"
            Expect.equal r.CkaMatrixSameInit.[6, 6] twin.LayerCka[6] "heat map diagonal is the per-layer CKA"
            Expect.stringContains r.Conclusion "Reordering hidden units removes" "conclusion in words"
            let report = Report("comparison test").AppendComparison(r)
            let html = report.ToHtml()
            for text in [ "Table 2 after alignment: Chars models"; "Table 3 after alignment: Chars k vs MNIST k"; "Debiased linear CKA per layer"; "Interpolation barriers"; "100.0 %" ] do
                Expect.stringContains html text text
            Expect.equal report.PlotCount 3 "two heat maps and the path chart"
        }
        test "bad input: architectures that differ, too few probes, empty groups" {
            let data = SyntheticDigits.Generate(32, 5)
            let lenet = Models.Create("lenet5", Generator(1))
            let two = Models.Create("twolayer", Generator(2))
            let ok = ModelGroup("A", [| lenet |], data)
            let throwsWith (fragment: string) f =
                let e = Expect.throwsC f id
                Expect.stringContains e.Message fragment "message"
            throwsWith "architectures differ" (fun () -> NetworkComparison.Compare(ok, ModelGroup("B", [| two |], data), data, ComparisonOptions(ProbeCount = 8)) |> ignore)
            throwsWith $"probe set '{data.Name}' has 32 images; the options ask for 500" (fun () -> NetworkComparison.Compare(ok, ModelGroup("B", [| lenet |], data), data) |> ignore)
            throwsWith "model group 'B' holds no models" (fun () -> NetworkComparison.Compare(ok, ModelGroup("B", [||], data), data, ComparisonOptions(ProbeCount = 8)) |> ignore)
        }
    ]
