module InitLab.Kernel.Tests.Nn.SavedStateTests

open System
open Expecto
open InitLab.Kernel
open InitLab.Kernel.Nn
open InitLab.Kernel.Optim

let private small (seed: int) = Models.TwoLayerNet(4, 3, 2, gen = Generator seed)

let private expectRefused (f: unit -> unit) (fragments: string list) =
    let e = Expect.throwsC f id
    Expect.isTrue (e :? ArgumentException) $"ArgumentException, got {e.GetType().Name}"
    for s in fragments do Expect.stringContains e.Message s "the message names the problem"

[<Tests>]
let tests =
    testList "Nn.saved state" [
        testCase "SaveParameters -> LoadParameters round-trips bit for bit, in the parameters' own dtype" <| fun () ->
            let a, b = small 1, small 2
            let saved = a.SaveParameters()
            Expect.equal (saved |> Array.map (fun s -> s.Name)) (a.NamedParameters |> Array.map fst) "names in order"
            Expect.isTrue (saved |> Array.forall (fun s -> s.Data :? float32[])) "float32 stays float32"
            Expect.equal saved[0].Shape [| 3; 4 |] "shape"
            b.LoadParameters(saved, "mem")
            Expect.equal (b.Parameters |> Array.map (fun p -> p.ToArray())) (a.Parameters |> Array.map (fun p -> p.ToArray())) "same values"
            (saved[0].Data :?> float32[])[0] <- 123.0f
            Expect.notEqual (a.Parameters[0].At 0) 123.0 "the saved state is a copy"
            Expect.notEqual (b.Parameters[0].At 0) 123.0 "and the loaded model does not share it"

        testCase "LoadParameters refuses missing, misshapen, mistyped, non-finite and unknown entries and writes nothing" <| fun () ->
            let m = small 3
            let before = m.Parameters |> Array.map (fun p -> p.ToArray())
            let good () = (small 4).SaveParameters()
            let edit i (f: StateBuffer -> StateBuffer) = good () |> Array.mapi (fun j s -> if j = i then f s else s)
            expectRefused (fun () -> m.LoadParameters((good ())[1..], "f.st")) [ "f.st"; "'affine1.weight' is missing" ]
            expectRefused (fun () -> m.LoadParameters(edit 0 (fun s -> { s with Shape = [| 12 |] }), "f.st")) [ "[12]"; "[3, 4]" ]
            expectRefused (fun () -> m.LoadParameters(edit 1 (fun s -> { s with Data = Array.zeroCreate<float> 3 }), "f.st")) [ "affine1.bias"; "Double" ]
            expectRefused (fun () -> m.LoadParameters(edit 1 (fun s -> { s with Data = [| 1.0f |] }), "f.st")) [ "affine1.bias"; "holds 1 values" ]
            expectRefused (fun () -> m.LoadParameters(edit 1 (fun s -> { s with Data = [| 1.0f; nanf; 0.0f |] }), "f.st")) [ "NaN" ]
            expectRefused (fun () -> m.LoadParameters(Array.append (good ()) [| (good ())[0] |], "f.st")) [ "affine1.weight"; "more than once" ]
            expectRefused (fun () -> m.LoadParameters(Array.append (good ()) [| { Name = "extra"; Shape = [| 1 |]; Data = [| 1.0f |] } |], "f.st")) [ "unknown"; "extra" ]
            Expect.equal (m.Parameters |> Array.map (fun p -> p.ToArray())) before "untouched"

        testCase "StateBuffer equality is bitwise: the same NaN is equal; signed zeros, element types, shapes and names differ" <| fun () ->
            let buffer name (shape: int[]) (data: Array) : StateBuffer = { Name = name; Shape = shape; Data = data }
            let quietNan = BitConverter.Int32BitsToSingle 0x7fc00001
            Expect.equal (buffer "w" [| 2 |] [| 1.0f; quietNan |]) (buffer "w" [| 2 |] [| 1.0f; quietNan |]) "same bits, NaN included"
            Expect.notEqual (buffer "w" [| 1 |] [| 0.0f |]) (buffer "w" [| 1 |] [| -0.0f |]) "0.0 vs -0.0"
            Expect.notEqual (buffer "w" [| 1 |] [| 1.0f |]) (buffer "w" [| 1 |] [| 1.0 |]) "float32 vs float64"
            Expect.notEqual (buffer "w" [| 2; 1 |] [| 1.0f; 2.0f |]) (buffer "w" [| 1; 2 |] [| 1.0f; 2.0f |]) "shape"
            Expect.notEqual (buffer "w" [| 1 |] [| 1L |]) (buffer "v" [| 1 |] [| 1L |]) "name"
            let a, b = small 7, small 7
            Expect.sequenceEqual (a.SaveParameters()) (b.SaveParameters()) "one seed, one state"

        testCase "Optimizer.SaveState -> LoadState continues bit for bit; names carry no optim/ prefix" <| fun () ->
            let run (m: Module) (opt: Optimizer) steps =
                let x = Tensor.RandN([| 5; 4 |], Generator 9)
                for _ in 1 .. steps do
                    m.Forward(x).CrossEntropy([| 0; 1; 0; 1; 1 |]).Backward()
                    opt.Step()
                    opt.ZeroGrad()
            let a = small 5
            let oa = Optimizers.Adam(a, lr = 0.01)
            run a oa 3
            let saved = oa.SaveState()
            Expect.isTrue (saved |> Array.forall (fun s -> not (s.Name.StartsWith "optim/"))) "no prefix"
            Expect.contains (saved |> Array.map (fun s -> s.Name)) "iteration" "the iteration counter"
            let b = small 6
            b.LoadParameters(a.SaveParameters(), "mem")
            let ob = Optimizers.Adam(b, lr = 0.01)
            ob.LoadState(oa.Kind, saved)
            Expect.equal ob.Iteration 3 "iteration restored"
            run a oa 2
            run b ob 2
            Expect.equal (b.Parameters |> Array.map (fun p -> p.ToArray())) (a.Parameters |> Array.map (fun p -> p.ToArray())) "same continuation"
            expectRefused (fun () -> ob.LoadState("sgd", saved)) [ "'adam'" ]
    ]
