module InitLab.Kernel.Tests.Tensors.AutodiffTests

open System
open Expecto
open InitLab.Kernel
open InitLab.Kernel.Tests.Check

[<Tests>]
let tests =
    testList "tensors.autodiff" [
        test "fan-out: a tensor used twice receives the sum of both gradients" {
            let x = Tensor.OfArray([| 1.0; 2.0; 3.0 |]).RequireGrad()
            let y = (x * x + x * 3.0).Sum()   // dy/dx = 2x + 3
            y.Backward()
            Expect.equal (x.Grad.ToArray()) [| 5.0; 7.0; 9.0 |] "2x + 3"
        }
        test "gradients accumulate over backward calls until ZeroGrad" {
            let w = Tensor.OfArray([| 2.0 |]).RequireGrad()
            for _ in 1 .. 3 do (w * 5.0).Sum().Backward()
            Expect.equal (w.Grad.ToArray()) [| 15.0 |] "accumulated"
            w.ZeroGrad()
            Expect.equal (w.Grad.ToArray()) [| 0.0 |] "zeroed"
        }
        test "gradients flow correctly through broadcasting and views" {
            let b = Tensor.OfArray([| 1.0; 2.0 |]).RequireGrad()
            let x = Tensor.Ones([| 3; 2 |], Float64)
            ((x + b).Reshape([| -1 |]) * 2.0).Sum().Backward()
            Expect.equal (b.Grad.ToArray()) [| 6.0; 6.0 |] "summed over the broadcast axis"
        }
        test "no-grad mode records nothing and detach cuts the graph" {
            let w = Tensor.OfArray([| 1.0 |]).RequireGrad()
            let y =
                use _ = Tensor.NoGrad()
                w * 2.0
            Expect.isFalse y.RequiresGrad "no graph in no-grad mode"
            let d = (w * 2.0).Detach()
            Expect.isFalse d.RequiresGrad "detached"
            throwsWith "does not require grad" (fun () -> d.Sum().Backward())
        }
        test "backward of a non-scalar needs an explicit gradient" {
            let w = Tensor.OfArray([| 1.0; 2.0 |]).RequireGrad()
            throwsWith "single-element" (fun () -> (w * 2.0).Backward())
            (w * 2.0).Backward(Tensor.OfArray([| 1.0; 10.0 |]))
            Expect.equal (w.Grad.ToArray()) [| 2.0; 20.0 |] "vector-Jacobian product"
        }
        test "intermediates are recycled after backward unless retained" {
            let w = Tensor.OfArray([| 1.0; -2.0 |]).RequireGrad()
            let h = (w * 3.0).Relu()
            let kept = (w * 4.0).Retain()
            let loss = (h + kept).Sum()
            loss.Backward()
            Expect.equal (kept.ToArray()) [| 4.0; -8.0 |] "retained intermediate still readable"
            Expect.equal (loss.Item) (3.0 + 4.0 - 8.0) "the loss stays readable"
            throwsWith "Retain()" (fun () -> h.ToArray() |> ignore)
        }
        test "a scope recycles the buffers made inside it, and never a caller's wrapped array" {
            let data = [| 1.0; 2.0; 3.0 |]
            let x = Tensor.Wrap(data, [| 3 |])
            let y =
                use _ = Tensor.Scope()
                let y = x * 2.0
                Expect.equal (y.ToArray()) [| 2.0; 4.0; 6.0 |] "readable inside the scope"
                y
            throwsWith "recycled" (fun () -> y.ToArray() |> ignore)
            Expect.equal (x.ToArray()) [| 1.0; 2.0; 3.0 |] "the wrapped input is untouched"
            x.Raw.Release()
            for _ in 1 .. 4 do
                Expect.isFalse (obj.ReferenceEquals(BufferPool<float>.Rent 3, data)) "the caller's array is not pooled"
        }
        // Sequenced: the heap is process-wide, so no other test may allocate while it is measured.
        testSequenced <| test "memory stays flat over 10,000 training iterations" {
            let g = Generator(1)
            let w1 = Tensor.RandN([| 16; 8 |], g, std = 0.3).RequireGrad()
            let w2 = Tensor.RandN([| 4; 16 |], g, std = 0.3).RequireGrad()
            let x = Tensor.RandN([| 32; 8 |], g)
            let labels = Array.init 32 (fun i -> i % 4)
            let step () =
                let loss = x.Linear(w1, null).Relu().Linear(w2, null).CrossEntropy(labels)
                loss.Backward()
                use _ = Tensor.NoGrad()
                for w in [ w1; w2 ] do
                    let d = (w.Raw :?> RawTensor<float32>).Data
                    let gd = (w.Grad.Raw :?> RawTensor<float32>).Data
                    for i in 0 .. d.Length - 1 do d[i] <- d[i] - 0.01f * gd[i]
                    w.ZeroGrad()
                loss.Item
            for _ in 1 .. 1000 do step () |> ignore
            let before = GC.GetTotalMemory(true)
            let mutable last = 0.0
            for _ in 1 .. 10_000 do last <- step ()
            let after = GC.GetTotalMemory(true)
            Expect.isTrue (Double.IsFinite last) "training ran"
            // a leaked graph would hold ~10,000 × (activations + closures) ≈ tens of MB
            Expect.isLessThan (after - before) (2L * 1024L * 1024L) $"heap grew from {before} to {after} bytes"
        }
    ]
