namespace InitLab.Kernel.Compare

open System
open InitLab.Kernel

/// Paper 003's filter comparison beside a one-to-one matching.
type FilterComparison =
    { /// E[i, j] = ‖F_i − G_j‖₂
      Distances: float[,]
      /// the paper's S_i = min_j E[i, j] (several F_i may pick the same G_j)
      Nearest: float[]
      NearestIndex: int[]
      /// one-to-one: F_i is matched to G_Matched[i], distinct j, minimising Σ_i E[i, Matched[i]]
      Matched: int[]
      MatchedDistances: float[] }

/// Compares two sets of filters (e.g. two models' first convolution weights [out; in; k; k]).
module FilterMatching =
    let compare (f: Tensor) (g: Tensor) : FilterComparison =
        if isNull f then nullArg "f"
        if isNull g then nullArg "g"
        if f.Rank < 2 || g.Rank <> f.Rank || f.Shape[1..] <> g.Shape[1..] then
            invalidArg "g" $"FilterMatching: filters {Shape.show f.Shape} and {Shape.show g.Shape} must have the same shape after the filter axis"
        let nf, ng = f.Shape[0], g.Shape[0]
        if nf > ng then invalidArg "g" $"FilterMatching: {nf} filters cannot each get their own match among {ng}"
        let size = f.Numel / max nf 1
        let fv, gv = f.ToArray(), g.ToArray()
        for name, v in [ "f", fv; "g", gv ] do
            match v |> Array.tryFindIndex (Double.IsFinite >> not) with
            | Some i -> invalidArg name $"FilterMatching: filter {i / size} of '{name}' holds {v[i]} at element {i % size}"
            | None -> ()
        let e =
            Array2D.init nf ng (fun i j ->
                let mutable s = 0.0
                for k in 0 .. size - 1 do
                    let d = fv[i * size + k] - gv[j * size + k]
                    s <- s + d * d
                sqrt s)
        let nearestIndex = Array.init nf (fun i -> [| 0 .. ng - 1 |] |> Array.minBy (fun j -> e[i, j]))
        let matched = LinearAssignment.minimize e
        { Distances = e
          Nearest = Array.init nf (fun i -> e[i, nearestIndex[i]])
          NearestIndex = nearestIndex
          Matched = matched
          MatchedDistances = Array.init nf (fun i -> e[i, matched[i]]) }
