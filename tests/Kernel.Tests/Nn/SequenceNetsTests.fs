module InitLab.Kernel.Tests.Nn.SequenceNetsTests

open Expecto
open InitLab.Kernel
open InitLab.Kernel.Grad
open InitLab.Kernel.Nn

/// Tiny float64 versions of paper 003's networks: 6×6 images, 2 filters, fc 4, 3 outputs, LSTM 3 → 5 classes.
let private tinyCnn = { DigitCnnSpec.Paper with ImageSize = 6; Filters = 2; Hidden = 4; Outputs = 3; Dropout = 0.0 }
let private tinyLstm = { InputSize = 3; Hidden = 3; Classes = 5 }

[<Tests>]
let tests =
    testList "Nn.sequenceNets" [
        testCase "the paper's CNN: shapes, parameter names, 16 first-layer filters" <| fun () ->
            let cnn = SequenceNets.DigitCnn(DigitCnnSpec.Paper, Generator 1)
            let y = cnn.Forward(Tensor.Rand([| 4; 1; 28; 28 |], Generator 2))
            Expect.equal y.Shape [| 4; 10 |] "10 digit logits"
            Expect.equal (cnn.NamedParameters |> Array.map (fun (n, p) -> n, p.Shape))
                [| "conv1.weight", [| 16; 1; 3; 3 |]; "conv1.bias", [| 16 |]; "fc1.weight", [| 128; 2704 |]; "fc1.bias", [| 128 |]
                   "fc2.weight", [| 10; 128 |]; "fc2.bias", [| 10 |] |] "conv 16@3×3, fc 16·13·13 → 128 → 10"
            let filters = SequenceNets.FirstFilters cnn
            Expect.equal (filters.Length, filters[0].Length) (16, 9) "16 filters of 3×3"
            let w = (snd cnn.NamedParameters[0]).ToArray()
            Expect.equal filters[3] w[27 .. 35] "filter 3 is conv1.weight[3]"

        testCase "model-2: [N; 2; 28; 28] → 28 classes, each image through its own CNN" <| fun () ->
            let m = SequenceNets.Model2(DigitCnnSpec.Paper, SequenceLstmSpec.Paper, Generator 3)
            let x = Tensor.Rand([| 3; 2; 28; 28 |], Generator 4)
            Expect.equal (m.Forward(x).Shape) [| 3; 28 |] "logits over c"
            let names = m.NamedParameters |> Array.map fst
            Expect.contains names "cnn1.conv1.weight" "first CNN"
            Expect.contains names "cnn2.conv1.weight" "second CNN"
            Expect.contains names "rnn.lstm.weight_hh" "the LSTM"
            Expect.contains names "rnn.head.weight" "the read-out"
            Expect.notEqual (m.Cnns[0].Parameters[0].ToArray()) (m.Cnns[1].Parameters[0].ToArray()) "the CNNs start apart"
            // the second image matters only through cnn2: changing it moves the output
            m.Eval() |> ignore
            let y1 = m.Forward(x).ToArray()
            let x2 = x.Clone()
            for i in 784 .. 2 * 784 - 1 do x2.Raw.SetItem(i, 0.0)
            Expect.notEqual (m.Forward(x2).ToArray()[0 .. 27]) y1[0 .. 27] "second image changes pair 0's logits"
            Expect.equal (m.Forward(x2).ToArray()[28 ..]) y1[28 ..] "and no other pair's"
            let e = Expect.throwsC (fun () -> m.Forward(Tensor.Zeros [| 3; 1; 28; 28 |]) |> ignore) id
            Expect.stringContains e.Message "[3; 1; 28; 28]" "names the wrong shape"
            Expect.throwsT<System.ArgumentException> (fun () -> SequenceNets.Model2(DigitCnnSpec.Paper, { SequenceLstmSpec.Paper with InputSize = 7 }, Generator 1) |> ignore) "LSTM input must match CNN outputs"

        testCase "model-2's gradients match five-point differences end to end (float64, tiny sizes)" <| fun () ->
            let m = SequenceNets.Model2(tinyCnn, tinyLstm, Generator 5, Float64)
            let x = Tensor.Rand([| 3; 2; 6; 6 |], Generator 6, dtype = Float64)
            let labels = [| 0; 4; 2 |]
            let named = m.NamedParameters
            let report = GradCheck.checkBy FivePoint GradCheck.DefaultStep GradCheck.DefaultRelFloor (named |> Array.map fst)
                             (fun _ -> m.Forward(x).CrossEntropy(labels)) (named |> Array.map snd)
            Expect.isLessThan report.MaxRelError 1e-6 $"every parameter of both CNNs, the LSTM and the head:\n{report}"

        testCase "model-1's LSTM on one-hot labels: gradients match, and same seed gives the same weights" <| fun () ->
            let m = SequenceNets.LstmClassifier(tinyLstm, Generator 7, Float64)
            let oneHot = Tensor.OfArray([| 1.0; 0.0; 0.0;  0.0; 0.0; 1.0;  0.0; 1.0; 0.0;  1.0; 0.0; 0.0 |], [| 2; 2; 3 |])
            let named = m.NamedParameters
            let report = GradCheck.check (fun _ -> m.Forward(oneHot).CrossEntropy([| 1; 3 |])) (named |> Array.map snd)
            Expect.isLessThan report.MaxRelError 1e-6 $"gradients agree:\n{report}"
            let bits (mm: Module) = mm.Parameters |> Array.map (fun p -> p.ToArray())
            Expect.equal (bits (SequenceNets.LstmClassifier(tinyLstm, Generator 7, Float64))) (bits m) "same seed, same weights"
            Expect.equal (bits (m.Clone())) (bits m) "clone"
    ]
