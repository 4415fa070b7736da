/// Shared test helpers: FsCheck generators of shapes and values, and the gradcheck assertion.
module InitLab.Kernel.Tests.Check

open Expecto
open FsCheck
open FsCheck.FSharp
open InitLab.Kernel
open InitLab.Kernel.Grad

/// The issue's bar for float64 gradient checks.
let gradTolerance = 1e-6

/// `INITLAB_PROPERTY_SCALE=k` runs every property k times as many cases: a stress run for flaky bounds.
let private propertyScale =
    match System.Environment.GetEnvironmentVariable "INITLAB_PROPERTY_SCALE" with
    | null | "" -> 1
    | s ->
        match System.Int32.TryParse s with
        | true, k when k >= 1 -> k
        | _ -> failwithf "INITLAB_PROPERTY_SCALE must be a positive integer, got '%s'" s

let config n = InitLab.Tests.FsCheckSeed.config (n * propertyScale)

/// A property over values drawn from `gen`, run `n` times.
let property n name (gen: Gen<'a>) (body: 'a -> unit) =
    testPropertyWithConfig (config n) name (Prop.forAll (Arb.fromGen gen) body)

let dim lo hi = Gen.choose (lo, hi)

let shapeOfRank lo hi rank = Gen.listOfLength rank (dim lo hi) |> Gen.map List.toArray

let seed = Gen.choose (0, 1_000_000)

/// A float64 tensor of normal values from a seed.
let randn (seed: int) (shape: int[]) = Tensor.RandN(shape, Generator(seed), dtype = Float64)

/// Values bounded away from 0 (for kinks such as relu and abs).
let randAway (seed: int) (shape: int[]) =
    let g = Generator(seed)
    let v = Array.init (Shape.numel shape) (fun _ -> (0.2 + g.NextDouble()) * (if g.NextDouble() < 0.5 then -1.0 else 1.0))
    Tensor.OfArray(v, shape)

/// Distinct values (a shuffled grid, within ±1 up to 200 values), so max and max-pool have a unique arg-max and no kinks
/// within a gradcheck step. Kept O(1): a central difference's round-off grows with |f|, and large
/// values would make f large enough to push a small gradient's relative error past the bar.
let distinct (seed: int) (shape: int[]) =
    let n = Shape.numel shape
    let g = Generator(seed)
    let p = g.Permutation n
    // at least 0.01 apart: more than the 2h a five-point gradcheck moves a value
    let spacing = max 0.01 (2.0 / float (max n 2))
    Tensor.OfArray(p |> Array.map (fun i -> (float i - float (n - 1) / 2.0) * spacing), shape)

/// Random weights so a tensor-valued op becomes a scalar with nontrivial upstream gradients.
let weighted (seed: int) (y: Tensor) = (y * randn (seed + 7919) y.Shape).Sum()

/// Asserts autodiff matches central differences to `gradTolerance` (relative) in float64.
let gradcheck (what: string) (f: Tensor[] -> Tensor) (inputs: Tensor[]) =
    let report = GradCheck.check f inputs
    if not (report.Passed gradTolerance) then
        failtestf "%s: gradient check failed (max rel %g ≥ %g)\n%O" what report.MaxRelError gradTolerance report

let close (tol: float) (what: string) (expected: float[]) (actual: float[]) =
    Expect.equal actual.Length expected.Length $"{what}: length"
    for i in 0 .. expected.Length - 1 do
        let e, a = expected[i], actual[i]
        if abs (e - a) > tol * (1.0 + abs e) then
            failtestf "%s: element %d is %g, expected %g (tol %g)" what i a e tol

/// Asserts `f` throws and the message names what was wrong.
let throwsWith (fragment: string) (f: unit -> unit) =
    let mutable msg = null
    try f () with e -> msg <- e.Message
    if isNull msg then failtestf "expected an error mentioning '%s', but nothing was thrown" fragment
    if not (msg.Contains fragment) then failtestf "error message '%s' does not mention '%s'" msg fragment
