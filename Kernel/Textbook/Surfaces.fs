namespace InitLab.Kernel.Textbook

open System

/// A loss over two parameters with its exact gradient, for drawing gradient-descent paths.
type Surface =
    { Name: string
      Value: float -> float -> float
      Gradient: float -> float -> struct (float * float)
      /// the plotting window
      XRange: float * float
      YRange: float * float
      /// named stationary minima (x, y), the global one first
      Minima: (string * float * float) list }

/// The textbook's and paper 002's two-parameter surfaces.
module Surfaces =
    /// x0² + x1² (the chapter's function_2), minimum at the origin.
    let bowl =
        { Name = "bowl x² + y²"
          Value = fun x y -> x * x + y * y
          Gradient = fun x y -> struct (2.0 * x, 2.0 * y)
          XRange = (-4.0, 4.0)
          YRange = (-4.0, 4.0)
          Minima = [ "global", 0.0, 0.0 ] }

    /// x²/20 + y² (ch. 6's elongated bowl): twenty times flatter along x than along y.
    let elongatedBowl =
        { Name = "elongated bowl x²/20 + y²"
          Value = fun x y -> x * x / 20.0 + y * y
          Gradient = fun x y -> struct (x / 10.0, 2.0 * y)
          XRange = (-10.0, 10.0)
          YRange = (-5.0, 5.0)
          Minima = [ "global", 0.0, 0.0 ] }

    /// Tilt of the double well; it makes the left well the deeper one.
    [<Literal>]
    let Tilt = 0.3

    let private wellSlope (x: float) = 4.0 * x * (x * x - 1.0) + Tilt

    /// Newton's method on the double well's x-slope from a starting guess (converges to the nearest root here).
    let private newtonRoot (x0: float) =
        let mutable x = x0
        for _ in 1 .. 60 do
            x <- x - wellSlope x / (12.0 * x * x - 4.0)
        x

    /// (x² − 1)² + 0.3·x + y²: a tilted double well, global minimum near x = −1.04 and a shallower local
    /// minimum near x = +0.96, separated by a ridge near x = 0.075 (paper 002's surface with a local and a global minimum).
    let doubleWell =
        let value x y = (x * x - 1.0) ** 2.0 + Tilt * x + y * y
        { Name = "tilted double well (x² − 1)² + 0.3x + y²"
          Value = value
          Gradient = fun x y -> struct (wellSlope x, 2.0 * y)
          XRange = (-2.2, 2.2)
          YRange = (-2.0, 2.0)
          Minima = [ "global", newtonRoot -1.0, 0.0; "local", newtonRoot 1.0, 0.0 ] }

    /// x of the ridge (the local maximum along x) between the double well's two minima.
    let doubleWellRidge = newtonRoot 0.0

    /// The surface sampled on an nx × ny grid over its window: xs, ys and z[row = y, column = x].
    let grid (s: Surface) (nx: int) (ny: int) =
        if nx < 2 || ny < 2 then invalidArg "nx" $"a grid needs at least 2×2 points, got {nx}×{ny}"
        let axis (lo: float, hi: float) n = Array.init n (fun i -> lo + (hi - lo) * float i / float (n - 1))
        let xs, ys = axis s.XRange nx, axis s.YRange ny
        xs, ys, Array2D.init ny nx (fun r c -> s.Value xs[c] ys[r])

    /// The named minimum nearest to (x, y).
    let nearestMinimum (s: Surface) (x: float) (y: float) =
        s.Minima |> List.minBy (fun (_, mx, my) -> (x - mx) * (x - mx) + (y - my) * (y - my))

    /// The surface with its exact gradient replaced by the chapter's numerical_gradient (central
    /// difference, step h), so paths reproduce the book's float64 rounding where it matters.
    let withNumericalGradient (h: float) (s: Surface) =
        let f (v: float[]) = s.Value v[0] v[1]
        { s with
            Gradient =
                fun x y ->
                    let g = InitLab.Kernel.Grad.NumericalGradient.ofVector f [| x; y |] h
                    struct (g[0], g[1]) }
