module InitLab.Kernel.Tests.Raw.GemmTests

open System
open System.Threading.Tasks
open Expecto
open InitLab.Kernel.Raw
open InitLab.Kernel.Tests.Raw.Reference

/// One random GEMM problem: sizes, offsets, strides wider than the rows, alpha and beta.
type Problem =
    { TA: bool; TB: bool; M: int; N: int; K: int; Alpha: float; Beta: float
      AOff: int; BOff: int; COff: int; PadA: int; PadB: int; PadC: int; Seed: int }

let makeProblem ta tb m n k (alpha: float) (beta: float) (seed: int) =
    let rng = Random seed
    { TA = ta; TB = tb; M = m; N = n; K = k; Alpha = alpha; Beta = beta
      AOff = rng.Next 5; BOff = rng.Next 5; COff = rng.Next 5
      PadA = rng.Next 4; PadB = rng.Next 4; PadC = rng.Next 4; Seed = seed }

/// Stored shapes, strides and arrays (float64 master copies) of a problem.
let operands (p: Problem) =
    let rng = Random(p.Seed + 1)
    let aRows, aCols = if p.TA then p.K, p.M else p.M, p.K
    let bRows, bCols = if p.TB then p.N, p.K else p.K, p.N
    let lda, ldb, ldc = aCols + p.PadA, bCols + p.PadB, p.N + p.PadC
    let a = rand rng (p.AOff + aRows * lda)
    let b = rand rng (p.BOff + bRows * ldb)
    let c = rand rng (p.COff + p.M * ldc)
    a, lda, b, ldb, c, ldc

let checkSgemm (p: Problem) =
    let a, lda, b, ldb, c, ldc = operands p
    let a32, b32, c32 = toF32 a, toF32 b, toF32 c
    let expected = toF64 c32
    let mag = gemm p.TA p.TB p.M p.N p.K p.Alpha (toF64 a32) p.AOff lda (toF64 b32) p.BOff ldb (float (float32 p.Beta)) expected p.COff ldc
    Gemm.Sgemm(p.TA, p.TB, p.M, p.N, p.K, float32 p.Alpha, a32, p.AOff, lda, b32, p.BOff, ldb, float32 p.Beta, c32, p.COff, ldc)
    // float32 rounding grows at most ~linearly with k; elements outside the m×n window must be untouched
    let tol i =
        let r = i - p.COff
        if r >= 0 && r / ldc < p.M && r % ldc < p.N then 2e-7 * float (p.K + 4) * mag.[(r / ldc) * p.N + r % ldc] + 1e-30
        else 0.0
    expectClose (sprintf "Sgemm %A" p) (toF64 c32) expected tol

let checkDgemm (p: Problem) =
    let a, lda, b, ldb, c, ldc = operands p
    let expected = Array.copy c
    let mag = gemm p.TA p.TB p.M p.N p.K p.Alpha a p.AOff lda b p.BOff ldb p.Beta expected p.COff ldc
    Gemm.Dgemm(p.TA, p.TB, p.M, p.N, p.K, p.Alpha, a, p.AOff, lda, b, p.BOff, ldb, p.Beta, c, p.COff, ldc)
    let tol i =
        let r = i - p.COff
        if r >= 0 && r / ldc < p.M && r % ldc < p.N then 1e-15 * float (p.K + 4) * mag.[(r / ldc) * p.N + r % ldc] + 1e-300
        else 0.0
    expectClose (sprintf "Dgemm %A" p) c expected tol

/// FsCheck picks small, often degenerate sizes (1, odd); the modulus keeps them cheap.
let fromArbitrary ta tb (m: int) (n: int) (k: int) (alphaSel: int) (betaSel: int) (seed: int) =
    let size (v: int) (cap: int) = 1 + (abs v % cap)
    let alphas = [| 1.0; -0.5; 2.0; 0.0 |]
    let betas = [| 0.0; 1.0; 0.5; -2.0 |]
    makeProblem ta tb (size m 70) (size n 90) (size k 80) alphas.[abs alphaSel % 4] betas.[abs betaSel % 4] seed

let config = InitLab.Tests.FsCheckSeed.config 80

/// Sizes that cross the packing edges and the cache blocks (KC = 256, MC = 120, NR = 32, MR = 10),
/// and narrow A·Bᵀ products with long rows (the dot-product path: 4×3 blocks, edges, k % 16 tails).
let blockCrossing =
    [ 129, 33, 257; 8, 32, 1; 1, 1, 300; 200, 70, 513; 17, 2100, 3; 300, 5, 40
      20, 25, 1000; 9, 7, 333; 64, 10, 500; 5, 32, 129 ]

[<Tests>]
let tests =
    testList "Raw.Gemm" [
        testPropertyWithConfig config "Sgemm matches the naive triple loop (random sizes, all trans)"
            (fun ta tb m n k al be seed -> checkSgemm (fromArbitrary ta tb m n k al be seed))
        testPropertyWithConfig config "Dgemm matches the naive triple loop (random sizes, all trans)"
            (fun ta tb m n k al be seed -> checkDgemm (fromArbitrary ta tb m n k al be seed))
        testCase "Sgemm on block-crossing sizes, all four trans combinations" <| fun () ->
            for (m, n, k) in blockCrossing do
                for ta in [ false; true ] do
                    for tb in [ false; true ] do
                        checkSgemm (makeProblem ta tb m n k 1.5 0.5 (m * 7 + n))
        testCase "Sgemm with beta = 0 ignores NaN already in C" <| fun () ->
            let m, n, k = 20, 40, 9
            let a = Array.create (m * k) 1.0f
            let b = Array.create (k * n) 2.0f
            let c = Array.create (m * n) Single.NaN
            Gemm.Sgemm(false, false, m, n, k, 1.0f, a, 0, k, b, 0, n, 0.0f, c, 0, n)
            Expect.allEqual c 18.0f "C = A·B with A = 1, B = 2, k = 9"
        testCase "Sgemm with k = 0 scales C by beta" <| fun () ->
            let c = [| 1.0f; 2.0f; 3.0f; 4.0f |]
            Gemm.Sgemm(false, false, 2, 2, 0, 1.0f, [||], 0, 0, [||], 0, 2, 3.0f, c, 0, 2)
            Expect.equal c [| 3.0f; 6.0f; 9.0f; 12.0f |] "beta·C"
        testCase "Sgemm rejects an array too short for its offset and stride" <| fun () ->
            Expect.throwsT<ArgumentException> (fun () ->
                Gemm.Sgemm(false, false, 4, 4, 4, 1.0f, Array.zeroCreate 16, 1, 4, Array.zeroCreate 16, 0, 4, 0.0f, Array.zeroCreate 16, 0, 4))
                "A at offset 1 needs 17 elements"
        testCase "Sgemm names a null operand" <| fun () ->
            try
                Gemm.Sgemm(false, false, 2, 2, 2, 1.0f, Array.zeroCreate 4, 0, 2, null, 0, 2, 0.0f, Array.zeroCreate 4, 0, 2)
                failtest "expected an ArgumentNullException"
            with :? ArgumentNullException as e ->
                Expect.stringContains e.Message "b is null" "names b"
        testCase "Sgemm error names the operand and the array length" <| fun () ->
            try
                Gemm.Sgemm(false, true, 4, 5, 6, 1.0f, Array.zeroCreate 24, 0, 6, Array.zeroCreate 29, 0, 6, 0.0f, Array.zeroCreate 20, 0, 5)
                failtest "expected an ArgumentException"
            with :? ArgumentException as e ->
                Expect.stringContains e.Message "b (stored 5×6" "names b and its stored shape"
                Expect.stringContains e.Message "29" "names the array length"
    ]

[<Tests>]
let determinism =
    testSequenced <| testList "Raw.Gemm determinism" [
        testCase "Sgemm is bit-identical across calls, thread counts and concurrent callers" <| fun () ->
            let saved = Threads.Count
            try
                let rng = Random 7
                // column split (packed), row split (packed, narrow C), row split (dot-product path)
                for (m, n, k, tb) in [ 150, 260, 300, false; 300, 40, 200, false; 90, 20, 300, true ] do
                    let a, b = rand32 rng (m * k), rand32 rng (k * n)
                    let run () =
                        let c = Array.zeroCreate<float32> (m * n)
                        Gemm.Sgemm(false, tb, m, n, k, 1.0f, a, 0, k, b, 0, (if tb then k else n), 0.0f, c, 0, n)
                        c
                    Threads.Count <- 1
                    let single = run ()
                    for t in [ 1; 2; 3 ] do
                        Threads.Count <- t
                        let first = run ()
                        // each C element is computed by one worker with the same blocking and order
                        Expect.equal first single (sprintf "%A: Threads.Count = %d gives the same bits as 1" (m, n, k) t)
                        Expect.equal (run ()) first (sprintf "%A: second call, Threads.Count = %d" (m, n, k) t)
                        // two callers at once: one owns the worker pool, the other runs its ranges alone
                        let both = [| Task.Run(fun () -> run ()); Task.Run(fun () -> run ()) |] |> Array.map (fun t -> t.Result)
                        Expect.equal both.[0] first (sprintf "%A: concurrent caller 1, Threads.Count = %d" (m, n, k) t)
                        Expect.equal both.[1] first (sprintf "%A: concurrent caller 2, Threads.Count = %d" (m, n, k) t)
            finally
                Threads.Count <- saved
        testCase "Threads.Count rejects 0" <| fun () ->
            Expect.throwsT<ArgumentException> (fun () -> Threads.Count <- 0) "0 workers"
    ]
