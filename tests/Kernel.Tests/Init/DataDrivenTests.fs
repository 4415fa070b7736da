module InitLab.Kernel.Tests.Init.DataDrivenTests

open System
open Expecto
open InitLab.Kernel
open InitLab.Kernel.Init
open InitLab.Kernel.Nn

let private opts = DataDrivenOptions.Default

/// N one-channel h×w images, blank except where `paint` writes.
let private images (n: int) (h: int) (w: int) (paint: int -> float32[] -> unit) =
    let data = Array.zeroCreate<float32> (n * h * w)
    for i in 0 .. n - 1 do
        let img = Array.zeroCreate<float32> (h * w)
        paint i img
        Array.blit img 0 data (i * h * w) (h * w)
    Tensor.OfArray(data, [| n; 1; h; w |])

let private zeroFilters k c ks = Tensor.Zeros [| k; c; ks; ks |]

[<Tests>]
let tests =
    testList "Init.dataDriven" [
        testCase "one bright patch gives a seed filter equal to that patch normalised" <| fun () ->
            // 3×3 patch of distinct positive values at rows 2–4, cols 3–5 of a blank 8×8: every other
            // window holds a strict part of it, so the strongest window is the patch itself.
            let patch = [| 1.0f; 2.0f; 3.0f; 4.0f; 5.0f; 6.0f; 7.0f; 8.0f; 9.0f |]
            let x = images 1 8 8 (fun _ img -> for a in 0 .. 2 do for b in 0 .. 2 do img[(2 + a) * 8 + 3 + b] <- patch[a * 3 + b])
            let r = DataDrivenInit.generate { opts with Epsilon = 0.0; Delta = 1.0 } x 3 1 null (Generator 1)
            let norm = patch |> Array.sumBy (fun v -> float v * float v) |> sqrt
            let expected = patch |> Array.map (fun v -> float v / norm)
            Expect.equal r.SourceInput [| 0 |] "the one input seeds the one filter"
            for j in 0 .. 8 do
                Expect.floatClose Accuracy.veryHigh r.Seeds[j] expected[j] $"g_x[{j}]"
            Expect.equal (r.Weight.ToFloat32Array()) (expected |> Array.map float32) "δ = 1: the filter is g_x"

        testCase "the seed keeps what exceeds ε·max, shifted down by it" <| fun () ->
            let x = [| 0.0f; 2.0f; 4.0f; 8.0f |]
            let dst = Array.zeroCreate 4
            DataDrivenInit.seedInto 0.5 x 0 4 dst
            Expect.equal dst [| 0.0f; 0.0f; 0.0f; 4.0f |] "ϕ(x − 0.5·8)"
            DataDrivenInit.seedInto 0.0 x 0 4 dst
            Expect.equal dst x "ε = 0 keeps the input"

        testCase "inhibition zeroes exactly the r_t neighbourhood, clipped at the border" <| fun () ->
            let oh, ow = 7, 7
            let act = Array.zeroCreate<float32> (2 * oh * ow)
            act[oh * ow + 3 * ow + 1] <- 2.0f // channel 1, (3, 1): above θ = 1
            act[5 * ow + 5] <- 1.0f // channel 0, (5, 5): equal to θ, not above it
            let alive = DataDrivenInit.inhibitionMask 1.0 2 act 2 oh ow
            for y in 0 .. oh - 1 do
                for x in 0 .. ow - 1 do
                    let inside = abs (y - 3) <= 2 && abs (x - 1) <= 2
                    Expect.equal alive[y * ow + x] (not inside) $"({y}, {x})"
            let none = DataDrivenInit.inhibitionMask 1.0 0 act 2 oh ow
            Expect.equal (none |> Array.filter not |> Array.length) 1 "r_t = 0 kills only the position itself"

        testCase "δ = 0 gives the Gaussian draw bit for bit; δ = 1 gives the seeds" <| fun () ->
            let x = Tensor.Rand([| 12; 1; 10; 10 |], Generator 3)
            let shape = [| 4; 1; 3; 3 |]
            let r0 = DataDrivenInit.generate { opts with Delta = 0.0 } x 3 4 null (Generator 5)
            let gaussian = (Gaussian 1.0).Create(shape, Generator 5)
            Expect.equal (r0.Weight.ToFloat32Array()) (gaussian.ToFloat32Array()) "δ = 0: N(0, 1) draw"
            let r1 = DataDrivenInit.generate { opts with Delta = 1.0; Theta = 1e6 } x 3 4 null (Generator 5) // θ high: nothing inhibited
            Expect.isTrue (r1.SourceInput |> Array.forall (fun i -> i >= 0)) "every slot filled"
            Expect.equal (r1.Weight.ToFloat32Array()) (r1.Seeds |> Array.map float32) "δ = 1: g_x"
            Expect.notEqual (r1.Weight.ToFloat32Array()) (r0.Weight.ToFloat32Array()) "the seeds are not the noise"

        testCase "top-k keeps the candidates with the largest activations" <| fun () ->
            // Four inputs, one uniform 3×3 patch each, intensities 1, 4, 2, 3: the seed's response grows with it.
            let level = [| 1.0f; 4.0f; 2.0f; 3.0f |]
            let x = images 4 6 6 (fun i img -> for a in 1 .. 3 do for b in 1 .. 3 do img[a * 6 + b] <- level[i])
            let o = { opts with Inhibitors = InitialFilters; Epsilon = 0.0 }
            let r = DataDrivenInit.generate o x 3 2 (zeroFilters 2 1 3) (Generator 1)
            Expect.equal (Array.sort r.SourceInput) [| 1; 3 |] "inputs of intensity 4 and 3"
            Expect.equal r.Candidates 4 "every input proposed a filter"
            Expect.isTrue (Array.min r.Scores > 0.0) "scores recorded"

        testCase "an input the layer already represents everywhere proposes no filter" <| fun () ->
            let x = images 3 6 6 (fun _ img -> Array.fill img 0 img.Length 1.0f)
            let o = { opts with Inhibitors = InitialFilters; Theta = 0.0; Delta = 1.0 }
            let r = DataDrivenInit.generate o x 3 2 (Tensor.Ones [| 2; 1; 3; 3 |]) (Generator 9)
            Expect.equal r.Candidates 0 "all windows inhibited"
            Expect.equal r.SourceInput [| -1; -1 |] "no slot filled"
            Expect.equal (r.Weight.ToFloat32Array()) (r.Gaussian |> Array.map float32) "unfilled slots keep g_r"

        testCase "a bright input whose unrepresented windows are all blank proposes no filter (no 0/0 seed)" <| fun () ->
            // The inhibited patch's irregular values leave round-off in the integral image of the blank
            // windows around it; their exact energy is 0, so none may seed (g_x would be NaN).
            let g = Generator 21
            let x = images 1 24 24 (fun _ img -> for a in 0 .. 6 do for b in 0 .. 6 do img[a * 24 + b] <- 0.1f + float32 (g.NextDouble()))
            let o = { opts with Inhibitors = InitialFilters; Theta = 0.0; Epsilon = 0.0; InhibitionRadius = 1; Delta = 1.0 }
            let r = DataDrivenInit.generate o x 3 2 (Tensor.Ones [| 2; 1; 3; 3 |]) (Generator 9)
            Expect.isTrue (r.Weight.ToFloat32Array() |> Array.forall Single.IsFinite) "finite filters"
            Expect.equal r.Candidates 0 "no window with energy is left alive"
            Expect.equal (r.Weight.ToFloat32Array()) (r.Gaussian |> Array.map float32) "unfilled slots keep g_r"

        testCase "a growing set inhibits: the second copy of the same input proposes nothing" <| fun () ->
            let x = images 2 6 6 (fun _ img -> for a in 1 .. 3 do for b in 1 .. 3 do img[a * 6 + b] <- 1.0f)
            let o = { opts with Theta = 0.5; InhibitionRadius = 5; Delta = 1.0; Epsilon = 0.0 }
            let r = DataDrivenInit.generate o x 3 2 null (Generator 2)
            Expect.equal r.Candidates 1 "the first filter represents the second input"
            Expect.equal r.SourceInput [| 0; -1 |] "one slot filled"

        testCase "same seed, same filters; another seed, other filters" <| fun () ->
            let x = Tensor.Rand([| 20; 2; 9; 9 |], Generator 4)
            let run (seed: uint64) = (DataDrivenInit.generate opts x 5 6 null (Generator seed)).Weight.ToFloat32Array()
            Expect.equal (run 11UL) (run 11UL) "bit-identical"
            Expect.notEqual (run 11UL) (run 12UL) "seed matters"

        testCase "out-of-range parameters are refused naming the parameter" <| fun () ->
            let x = Tensor.Rand([| 2; 1; 6; 6 |], Generator 1)
            let refused o name =
                let e = Expect.throwsC (fun () -> DataDrivenInit.generate o x 3 2 null (Generator 1) |> ignore) id
                Expect.stringContains e.Message name $"names {name}"
            refused { opts with Delta = 1.5 } "delta"
            refused { opts with Delta = nan } "delta"
            refused { opts with InhibitionRadius = -1 } "inhibitionRadius"
            refused { opts with Theta = nan } "theta"
            refused { opts with Epsilon = -0.1 } "epsilon"
            refused { opts with WindowSize = Some 4 } "windowSize"
            refused { opts with GaussianStd = 0.0 } "gaussianStd"
            refused { opts with Inhibitors = InitialFilters } "initialFilters"
            let bad = Tensor.OfArray([| 1.0f; nanf; 0.0f; 0.0f |], [| 1; 1; 2; 2 |])
            let e = Expect.throwsC (fun () -> DataDrivenInit.generate opts bad 2 1 null (Generator 1) |> ignore) id
            Expect.stringContains e.Message "flat index 1" "names the bad value"

        testCase "a smaller window s sits in the filter's centre with a zero border" <| fun () ->
            let x = images 1 7 7 (fun _ img -> img[3 * 7 + 3] <- 1.0f)
            let r = DataDrivenInit.generate { opts with WindowSize = Some 1; Delta = 1.0; Epsilon = 0.0 } x 3 1 null (Generator 1)
            Expect.equal (r.Weight.ToFloat32Array()) [| 0.0f; 0.0f; 0.0f; 0.0f; 1.0f; 0.0f; 0.0f; 0.0f; 0.0f |] "centre tap"

        testCase "the paper-001 LeNet: conv1 then conv2 from the data, the rest untouched" <| fun () ->
            let x = Tensor.Rand([| 16; 1; 28; 28 |], Generator 6)
            let model = Paper001LeNet.Create(1, 28, 28, 10, gen = Generator 8)
            let fresh = Paper001LeNet.Create(1, 28, 28, 10, gen = Generator 8)
            let results = DataDrivenModel.Initialise(opts, model, Paper001LeNet.DataDrivenLayers, x, Generator 3)
            Expect.equal (results |> Array.map _.Layer) [| "conv1"; "conv2" |] "both layers"
            let p (m: Sequential) name = m.NamedParameters |> Array.find (fst >> (=) name) |> snd
            Expect.equal ((p model "conv1.weight").ToFloat32Array()) (results[0].Result.Weight.ToFloat32Array()) "conv1 set"
            Expect.equal ((p model "conv2.weight").ToFloat32Array()) (results[1].Result.Weight.ToFloat32Array()) "conv2 set"
            Expect.isTrue ((p model "conv2.bias").ToArray() |> Array.forall ((=) 0.0)) "biases 0"
            for name in [ "fc1.weight"; "fc2.weight" ] do
                Expect.equal ((p model name).ToFloat32Array()) ((p fresh name).ToFloat32Array()) $"{name} keeps MSRA"
            // conv2 saw conv1's initialised output: regenerating from that prefix reproduces it
            let prev = DataDrivenModel.ForwardPrefix(model, 3, x)
            let gen = Generator 3
            DataDrivenInit.generate opts x 7 20 null gen |> ignore
            let again = DataDrivenInit.generate opts prev 5 50 null gen
            Expect.equal (again.Weight.ToFloat32Array()) (results[1].Result.Weight.ToFloat32Array()) "conv2 from conv1's output"
            Expect.equal (model.Forward(x).Shape) [| 16; 10 |] "logits"
    ]
