module InitLab.Kernel.Tests.Init.OrthogonalTests

open Expecto
open InitLab.Kernel
open InitLab.Kernel.Init

let private config = InitLab.Tests.FsCheckSeed.config 40
let private dim (hi: int) (x: int) = 1 + ((x % hi) + hi) % hi

/// Largest |G − gain²·I| over the Gram matrix of the rows (rows ≤ cols) or of the columns (rows ≥ cols).
let private gramError (w: float[]) (rows: int) (cols: int) (gain: float) =
    let at r c = w[r * cols + c]
    let n, inner, entry =
        if rows >= cols then cols, rows, (fun i j k -> at k i * at k j)
        else rows, cols, (fun i j k -> at i k * at j k)
    let mutable worst = 0.0
    for i in 0 .. n - 1 do
        for j in 0 .. n - 1 do
            let mutable s = 0.0
            for k in 0 .. inner - 1 do s <- s + entry i j k
            let target = if i = j then gain * gain else 0.0
            worst <- max worst (abs (s - target))
    worst

[<Tests>]
let tests =
    testList "Init.orthogonal" [
        testPropertyWithConfig config "QᵀQ = gain²·I (tall) or QQᵀ = gain²·I (wide), float64" <| fun (a: int) (b: int) (g: int) (seed: int) ->
            let rows, cols = dim 48 a, dim 48 b
            let gain = [| 1.0; 0.5; 2.0 |][((g % 3) + 3) % 3]
            let w = (Orthogonal gain).Create([| rows; cols |], Generator(seed), dtype = Float64)
            let err = gramError (w.ToArray()) rows cols gain
            if err >= 1e-12 then failtestf "[%d; %d] gain %g: max |G − gain²I| = %g" rows cols gain err
            true

        testPropertyWithConfig config "float32 conv weights are orthogonal up to float32 rounding" <| fun (a: int) (b: int) (seed: int) ->
            let o, i = dim 32 a, dim 8 b
            let shape = [| o; i; 3; 3 |]
            let w = (Orthogonal 1.0).Create(shape, Generator(seed))
            let err = gramError (w.ToArray()) o (i * 9) 1.0
            if err >= 1e-5 then failtestf "%s: max |G − I| = %g" (Shape.show shape) err
            true

        testCase "square orthogonal matrices are not all the same and have entries of both signs" <| fun () ->
            let q1 = (Orthogonal 1.0).Create([| 16; 16 |], Generator(1)).ToArray()
            let q2 = (Orthogonal 1.0).Create([| 16; 16 |], Generator(2)).ToArray()
            Expect.notEqual q1 q2 "different seeds give different matrices"
            Expect.isTrue (q1 |> Array.exists (fun x -> x < 0.0) && q1 |> Array.exists (fun x -> x > 0.0)) "mixed signs"

        testCase "a rank-1 shape is rejected with the shape in the message" <| fun () ->
            let e = Expect.throwsC (fun () -> (Orthogonal 1.0).Create([| 7 |], Generator(1)) |> ignore) id
            Expect.stringContains e.Message "[7]" "names the shape"
    ]
