module InitLab.Kernel.Tests.Nn.DeterminismTests

open Expecto
open InitLab.Kernel
open InitLab.Kernel.Optim
open InitLab.Kernel.Nn

/// 50 SGD steps of Caffe's LeNet-5 on seeded random batches; returns the trained weights.
let train (seed: int) (threads: int) =
    InitLab.Kernel.Raw.Threads.Count <- threads
    let gen = Generator(seed)
    let model = Models.LeNet5(gen = gen)
    let opt = OptimizerSpec.create OptimizerSpec.caffeLeNet model.NamedParameters
    let data = Generator(seed + 1)
    for _ in 1 .. 50 do
        let x = Tensor.Rand([| 16; 1; 28; 28 |], data)
        let y = Array.init 16 (fun _ -> data.NextInt 10)
        model.Forward(x).CrossEntropy(y).Backward()
        opt.Step()
        opt.ZeroGrad()
    InitLab.Kernel.Raw.Threads.Count <- 2
    model.NamedParameters |> Array.map (fun (n, p) -> n, p.ToFloat32Array())

[<Tests>]
let tests =
    testSequenced <| testList "nn.determinism" [
        test "two LeNet-5 runs with the same seed are bit-identical after 50 steps (2 threads)" {
            let a, b = train 7 2, train 7 2
            for (n, x), (_, y) in Array.zip a b do
                Expect.isTrue (Array.forall2 (fun (p: float32) q -> System.BitConverter.SingleToInt32Bits p = System.BitConverter.SingleToInt32Bits q) x y) $"{n} bit for bit"
        }
        test "the same holds with one thread, and another seed gives other weights" {
            let a, b = train 7 1, train 7 1
            Expect.equal a b "1 thread: identical"
            let c = train 8 1
            Expect.notEqual (snd a[0]) (snd c[0]) "another seed differs"
        }
        test "1, 2 and 3 threads give the same LeNet-5 weights bit for bit after 50 steps" {
            let one = train 7 1
            for t in [ 2; 3 ] do
                for (n, x), (_, y) in Array.zip one (train 7 t) do
                    let differing = Array.fold2 (fun k (p: float32) q -> if System.BitConverter.SingleToInt32Bits p <> System.BitConverter.SingleToInt32Bits q then k + 1 else k) 0 x y
                    Expect.equal differing 0 $"{n}: elements differing between 1 and {t} threads"
        }
    ]
