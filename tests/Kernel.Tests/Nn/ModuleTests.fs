module InitLab.Kernel.Tests.Nn.ModuleTests

open System
open Expecto
open InitLab.Kernel
open InitLab.Kernel.Init
open InitLab.Kernel.Nn

let private bits (m: Module) = m.Parameters |> Array.map (fun p -> p.ToFloat32Array())

let private scaleInPlace (p: Tensor) (factor: float32) =
    let d = (p.Raw :?> RawTensor<float32>).Data
    for i in 0 .. d.Length - 1 do d[i] <- d[i] * factor + 0.5f

[<Tests>]
let tests =
    testList "Nn.module" [
        testCase "CopyFrom copies bit for bit, in place, and leaves the modules independent" <| fun () ->
            let a, b = Models.LeNet5(gen = Generator(1)), Models.LeNet5(gen = Generator(2))
            Expect.notEqual (bits a) (bits b) "different seeds differ"
            let heldTensor = a.Parameters[0]
            a.CopyFrom b
            Expect.equal (bits a) (bits b) "bit-identical"
            Expect.isTrue (Object.ReferenceEquals(heldTensor, a.Parameters[0])) "same tensor objects (optimisers keep working)"
            scaleInPlace b.Parameters[0] 2.0f
            Expect.notEqual (a.Parameters[0].ToFloat32Array()) (b.Parameters[0].ToFloat32Array()) "independent"

        testCase "CopyFrom rejects another architecture with a clear error and writes nothing" <| fun () ->
            let a = Models.TwoLayerNet(4, 3, 2, gen = Generator(1))
            let before = bits a
            let wider = Models.TwoLayerNet(4, 5, 2, gen = Generator(2))
            let e = Expect.throwsC (fun () -> a.CopyFrom wider) id
            Expect.stringContains e.Message "affine1.weight" "names the parameter"
            Expect.stringContains e.Message "[3; 4]" "names the shape"
            Expect.equal (bits a) before "untouched"
            Expect.throwsT<ArgumentException> (fun () -> a.CopyFrom(Models.LeNet5(gen = Generator(1)))) "different parameter count"

        testCase "Clone: deep copy with bit-identical, then independent parameters and the same mode" <| fun () ->
            let m = Models.LeNet5(gen = Generator(3))
            m.Eval() |> ignore
            let c = m.Clone()
            Expect.equal (c.NamedParameters |> Array.map fst) (m.NamedParameters |> Array.map fst) "names"
            Expect.equal (bits c) (bits m) "bit-identical"
            Expect.isFalse c.IsTraining "mode kept"
            Expect.isTrue (Array.forall2 (fun (p: Tensor) q -> not (Object.ReferenceEquals(p, q))) c.Parameters m.Parameters) "new tensors"
            Expect.isTrue (c.Parameters |> Array.forall (fun p -> p.RequiresGrad)) "clone's parameters require grad"
            scaleInPlace c.Parameters[4] 3.0f
            Expect.notEqual (c.Parameters[4].ToFloat32Array()) (m.Parameters[4].ToFloat32Array()) "changing the clone leaves the original"
            // gradients flow to the clone's parameters only
            let loss = c.Forward(Tensor.RandN([| 2; 1; 28; 28 |], Generator(4))).CrossEntropy([| 1; 7 |])
            loss.Backward()
            Expect.isTrue (c.Parameters |> Array.forall (fun p -> not (isNull p.Grad))) "clone has grads"
            Expect.isTrue (m.Parameters |> Array.forall (fun p -> isNull p.Grad)) "original has none"

        testCase "Clone of a Dropout continues the same mask stream independently" <| fun () ->
            let d = Dropout(0.5, Generator(8))
            let c = d.Clone()
            let x = Tensor.Ones [| 64 |]
            let first = d.Forward(x).ToArray()
            let second = d.Forward(x).ToArray()
            Expect.notEqual first second "successive masks differ"
            Expect.equal (c.Forward(x).ToArray()) first "the clone starts from the cloned state, unaffected by the original's draws"

        testCase "ZeroGrad zeroes every accumulated gradient" <| fun () ->
            let m = Models.TwoLayerNet(4, 3, 2, gen = Generator(1))
            m.Forward(Tensor.RandN([| 5; 4 |], Generator(2))).CrossEntropy([| 0; 1; 0; 1; 1 |]).Backward()
            Expect.isTrue (m.Parameters |> Array.exists (fun p -> p.Grad.ToArray() |> Array.exists ((<>) 0.0))) "non-zero grads"
            m.ZeroGrad()
            Expect.isTrue (m.Parameters |> Array.forall (fun p -> p.Grad.ToArray() |> Array.forall ((=) 0.0))) "all zero"

        testCase "StateDict → LoadStateDict round-trips bit for bit into a fresh model" <| fun () ->
            let a, b = Models.LeNet5(gen = Generator(5)), Models.LeNet5(gen = Generator(6))
            let state = a.StateDict()
            Expect.equal (state |> Array.map (fun s -> s.Name)) (a.NamedParameters |> Array.map fst) "order"
            Expect.equal state[0].Shape [| 20; 1; 5; 5 |] "shape"
            b.LoadStateDict state
            Expect.equal (bits b) (bits a) "bit-identical"
            state[0].Values[0] <- 123.0
            Expect.notEqual (a.Parameters[0].At 0) 123.0 "the state is a copy"

        testCase "LoadStateDict rejects bad states with clear errors and leaves the model untouched" <| fun () ->
            let m = Models.TwoLayerNet(4, 3, 2, gen = Generator(1))
            let before = bits m
            let good () = m.StateDict()
            let withEntry i (f: ParameterState -> ParameterState) = good () |> Array.mapi (fun j s -> if j = i then f s else s)
            let nanValues = withEntry 3 (fun s -> { s with Values = Array.create s.Values.Length nan })
            let cases =
                [ "wrong shape", withEntry 2 (fun s -> { s with Shape = [| 3; 2 |] }), "affine2.weight"
                  "short values", withEntry 1 (fun s -> { s with Values = [| 1.0 |] }), "affine1.bias"
                  "NaN", nanValues, "non-finite"
                  "missing", good () |> Array.take 3, "affine2.bias"
                  "unknown", Array.append (good ()) [| { Name = "affine3.weight"; Shape = [| 1 |]; Values = [| 0.0 |] } |], "affine3.weight"
                  "duplicate", Array.append (good ()) [| (good ())[0] |], "more than once" ]
            for label, state, mention in cases do
                let e = Expect.throwsC (fun () -> m.LoadStateDict state) id
                Expect.isTrue (e :? ArgumentException) label
                Expect.stringContains e.Message mention label
                Expect.equal (bits m) before $"{label}: untouched"

        testCase "LoadStateDict converts float64 values into a float32 model exactly for float32-representable values" <| fun () ->
            let m = Linear(2, 2, gen = Generator(1))
            let values = [| 0.5; -1.25; 3.0; 1e-3 |]
            m.LoadStateDict [ { Name = "weight"; Shape = [| 2; 2 |]; Values = values }; { Name = "bias"; Shape = [| 2 |]; Values = [| 1.0; 2.0 |] } ]
            Expect.equal (m.Weight.ToFloat32Array()) (values |> Array.map float32) "weights"
    ]
