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
    ]
