module InitLab.Kernel.Tests.Init.InitStatsTests

open Expecto
open InitLab.Kernel
open InitLab.Kernel.Init

// Statistical checks of the initialisers' distributions. For a draw of n i.i.d. values with known
// mean μ and variance σ², the sample second moment about μ, m2 = Σ(x − μ)²/n, has mean σ² and
// standard error σ²·√((κ − 1)/n) (κ = kurtosis: 3 for a normal, 9/5 for a uniform); by the CLT a
// 5-standard-error band fails with probability ≈ 6e-7 per check. The mean is checked the same way.

let private minDraw = 20000
let private config = InitLab.Tests.FsCheckSeed.config 25

/// Draws from `init` for `shape` until at least `minDraw` values are pooled (one generator, continuing).
let private pooled (init: Initializer) (shape: int[]) (fanShape: int[]) (seed: int) =
    let gen = Generator(seed)
    let chunks = ResizeArray<float[]>()
    let mutable count = 0
    while count < minDraw do
        let t = init.Create(shape, gen, fanShape)
        let v = t.ToArray()
        chunks.Add v
        count <- count + v.Length
    Array.concat chunks

let private checkMoments (label: string) (xs: float[]) (mean: float) (variance: float) (kurtosis: float) =
    let n = float xs.Length
    let m1 = Array.average xs
    let m2 = (xs |> Array.sumBy (fun x -> (x - mean) * (x - mean))) / n
    let seMean = sqrt (variance / n)
    let seVar = variance * sqrt ((kurtosis - 1.0) / n)
    if abs (m1 - mean) > 5.0 * seMean then
        failtestf "%s: sample mean %g differs from %g by more than 5 standard errors (%g)" label m1 mean seMean
    if abs (m2 - variance) > 5.0 * seVar then
        failtestf "%s: sample variance %g differs from %g by more than 5 standard errors (%g), n = %d" label m2 variance seVar xs.Length
    true

let private checkBound (label: string) (xs: float[]) (bound: float) =
    // float32 rounding may move a value by one ulp past the float64 bound
    let b = float (float32 bound) * (1.0 + 1e-6)
    match xs |> Array.tryFind (fun x -> abs x > b) with
    | Some x -> failtestf "%s: value %g outside ±%g" label x bound
    | None -> true

let private normalKurtosis, uniformKurtosis = 3.0, 9.0 / 5.0

/// Maps arbitrary ints to a dimension in [1, hi].
let private dim (hi: int) (x: int) = 1 + ((x % hi) + hi) % hi

/// A weight shape from three ints: Linear [out; in] when k = 1, else Conv [O; I; k; k];
/// returns the shape with fan_in and fan_out computed from their definitions.
let private weightShape (a: int) (b: int) (c: int) =
    let k = dim 5 c
    let o, i = dim 300 a, dim 300 b
    if k = 1 then [| o; i |], float i, float o
    else
        let o, i = dim 40 a, dim 40 b
        [| o; i; k; k |], float (i * k * k), float (o * k * k)

let private modes = [| FanIn; FanOut; FanAverage |]
let private pick (m: int) (fanIn: float) (fanOut: float) =
    match modes[((m % 3) + 3) % 3] with
    | FanIn -> FanIn, fanIn
    | FanOut -> FanOut, fanOut
    | FanAverage -> FanAverage, (fanIn + fanOut) / 2.0

[<Tests>]
let tests =
    testList "Init.statistics" [
        testPropertyWithConfig config "Glorot uniform: variance 2/(fan_in+fan_out), bound √(6/(fan_in+fan_out))" <| fun (a: int) (b: int) (c: int) (seed: int) ->
            let shape, fi, fo = weightShape a b c
            let xs = pooled Xavier shape shape seed
            checkMoments $"xavier {Shape.show shape}" xs 0.0 (2.0 / (fi + fo)) uniformKurtosis
            && checkBound "xavier" xs (sqrt (6.0 / (fi + fo)))

        testPropertyWithConfig config "Glorot normal: variance 2/(fan_in+fan_out)" <| fun (a: int) (b: int) (c: int) (seed: int) ->
            let shape, fi, fo = weightShape a b c
            checkMoments $"xavier-normal {Shape.show shape}" (pooled XavierNormal shape shape seed) 0.0 (2.0 / (fi + fo)) normalKurtosis

        testPropertyWithConfig config "Caffe xavier: uniform with variance 1/n for the chosen fan" <| fun (a: int) (b: int) (c: int) (m: int) (seed: int) ->
            let shape, fi, fo = weightShape a b c
            let mode, n = pick m fi fo
            let xs = pooled (XavierCaffe mode) shape shape seed
            checkMoments $"caffe-xavier {mode} {Shape.show shape}" xs 0.0 (1.0 / n) uniformKurtosis
            && checkBound "caffe-xavier" xs (sqrt (3.0 / n))

        testPropertyWithConfig config "MSRA: normal with variance 2/n for the chosen fan" <| fun (a: int) (b: int) (c: int) (m: int) (seed: int) ->
            let shape, fi, fo = weightShape a b c
            let mode, n = pick m fi fo
            checkMoments $"msra {mode} {Shape.show shape}" (pooled (Msra mode) shape shape seed) 0.0 (2.0 / n) normalKurtosis

        testPropertyWithConfig config "Gaussian σ: variance σ²" <| fun (a: int) (b: int) (s: int) (seed: int) ->
            let std = [| 0.01; 0.1; 1.0; 3.0 |][((s % 4) + 4) % 4]
            let shape = [| dim 200 a; dim 200 b |]
            checkMoments $"gaussian {std}" (pooled (Gaussian std) shape shape seed) 0.0 (std * std) normalKurtosis

        testPropertyWithConfig config "Uniform(a, b): mean (a+b)/2, variance (b−a)²/12" <| fun (x: int) (w: int) (seed: int) ->
            let low = float (((x % 100) + 100) % 100 - 50) / 10.0
            let high = low + float (dim 50 w) / 10.0
            let shape = [| 64; 64 |]
            let xs = pooled (Uniform(low, high)) shape shape seed
            checkMoments $"uniform {low},{high}" xs ((low + high) / 2.0) ((high - low) ** 2.0 / 12.0) uniformKurtosis
            && (xs |> Array.forall (fun v -> v >= float (float32 low) && v <= float (float32 high)))

        testPropertyWithConfig config "PyTorch default: U(±1/√fan_in), also for a bias given the weight's shape" <| fun (a: int) (b: int) (c: int) (seed: int) ->
            let shape, fi, _ = weightShape a b c
            let bound = 1.0 / sqrt fi
            let xs = pooled TorchDefault shape shape seed
            let biasXs = pooled TorchDefault [| shape[0] |] shape seed
            checkMoments "torch-default weight" xs 0.0 (bound * bound / 3.0) uniformKurtosis
            && checkBound "torch-default weight" xs bound
            && checkMoments "torch-default bias" biasXs 0.0 (bound * bound / 3.0) uniformKurtosis
            && checkBound "torch-default bias" biasXs bound

        testCase "a fan-based initialiser on a bias takes its fans from the weight shape" <| fun () ->
            // Caffe xavier on a bias of a [500; 800] weight: variance 1/800, not 1/(bias length)
            let xs = pooled (XavierCaffe FanIn) [| 500 |] [| 500; 800 |] 3
            checkMoments "caffe-xavier bias" xs 0.0 (1.0 / 800.0) uniformKurtosis |> ignore

        testCase "the moment check has power: it rejects variances 10% off the truth" <| fun () ->
            let shape = [| 100; 200 |]
            let xs = pooled XavierNormal shape shape 1
            let truth = 2.0 / 300.0
            checkMoments "truth" xs 0.0 truth normalKurtosis |> ignore
            for wrong in [ truth * 1.1; truth / 1.1 ] do
                Expect.throwsT<Expecto.AssertException> (fun () -> checkMoments "wrong" xs 0.0 wrong normalKurtosis |> ignore) $"variance {wrong}"

        testCase "constant fills every element with the value" <| fun () ->
            let t = (Constant 0.25).Create([| 3; 4 |], Generator(1))
            Expect.equal t.Shape [| 3; 4 |] "shape"
            Expect.allEqual (t.ToArray()) 0.25 "all 0.25"
    ]
