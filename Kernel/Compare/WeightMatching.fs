namespace InitLab.Kernel.Compare

open System
open InitLab.Kernel
open InitLab.Kernel.Nn

/// The result of aligning a model's hidden units to a reference's.
type Alignment =
    { /// the model with its hidden units reordered: a new module computing the same function
      Aligned: Module
      /// for each hidden layer (by path), aligned unit i is the model's unit Permutation[i]
      Permutations: (string * int[])[]
      /// passes over the layers until one changed nothing
      Rounds: int
      /// Σ over layers of ⟨reference weights, aligned weights⟩ (biases included), the quantity maximised
      Similarity: float }

/// Weight matching (Ainsworth, Hayase & Srinivasa 2022, "Git Re-Basin", Algorithm 1): hidden units
/// of a network can be reordered without changing its function, so before comparing two networks
/// position by position, reorder the second's units to best match the first's. For one hidden layer,
/// with its neighbours' orders fixed, the best order is a linear assignment on
/// C = W_A·W_Bᵀ + b_A·b_Bᵀ + W'_Aᵀ·W'_B (incoming weights, biases, outgoing weights); layers are
/// solved in a random order, round after round, until a round improves nothing.
module WeightMatching =

    /// A layer's weight as a flat float64 array in [Units; InUnits; Inner] order (the stored order).
    let private values (t: Tensor) = if isNull t then null else t.ToArray()

    let private identity n = Array.init n id

    /// The order of each weight layer's units (identity for the last, whose outputs are the model's).
    let private fullOrders (layers: WeightLayer[]) (hidden: (string * int[])[]) =
        let byPath = dict hidden
        layers
        |> Array.mapi (fun i l ->
            if i < layers.Length - 1 && byPath.ContainsKey l.Path then byPath[l.Path] else identity l.Units)

    let private checkPermutation (what: string) (l: WeightLayer) (p: int[]) =
        if isNull p || p.Length <> l.Units then
            invalidArg "permutations" $"{what}: layer '{l.Path}' has {l.Units} units but its permutation has {(if isNull p then 0 else p.Length)} entries"
        let seen = Array.zeroCreate<bool> l.Units
        for v in p do
            if v < 0 || v >= l.Units || seen[v] then
                invalidArg "permutations" $"{what}: the permutation of layer '{l.Path}' is not a permutation of 0 … {l.Units - 1} (entry {v})"
            seen[v] <- true

    /// A copy of `model` whose unit i of each listed hidden layer is its unit perm[i]; the next
    /// layer's inputs follow, so the function is unchanged. Layers not listed keep their order.
    let permute (model: Module) (permutations: (string * int[])[]) : Module =
        let what = "WeightMatching.permute"
        let layers = UnitLayout.ofModel what model
        if isNull permutations then nullArg "permutations"
        for (path, p) in permutations do
            match layers |> Array.tryFindIndex (fun l -> l.Path = path) with
            | Some i when i < layers.Length - 1 -> checkPermutation what layers[i] p
            | Some _ -> invalidArg "permutations" $"{what}: layer '{path}' is the output layer; its units are the model's outputs and cannot be reordered"
            | None -> invalidArg "permutations" $"""{what}: no weight layer '{path}' (layers: {String.Join(", ", layers |> Array.map _.Path)})"""
        let orders = fullOrders layers permutations
        // pure data movement on the values in their own element type, so the copy is bit-exact
        let replaced = Collections.Generic.Dictionary<string, Array>(StringComparer.Ordinal)
        for li in 0 .. layers.Length - 1 do
            let l = layers[li]
            let rowOrder = orders[li]
            let inOrder = if li = 0 then identity l.InUnits else orders[li - 1]
            let w = l.Weight.ToValueArray()
            let w' = Array.CreateInstance(w.GetType().GetElementType(), w.Length)
            let rowLen = l.InUnits * l.Inner
            for i in 0 .. l.Units - 1 do
                let src = rowOrder[i] * rowLen
                for c in 0 .. l.InUnits - 1 do
                    Array.Copy(w, src + inOrder[c] * l.Inner, w', i * rowLen + c * l.Inner, l.Inner)
            replaced[Leaves.parameterName l.Path "weight"] <- w'
            if not (isNull l.Bias) then
                let b = l.Bias.ToValueArray()
                let b' = Array.CreateInstance(b.GetType().GetElementType(), l.Units)
                for i in 0 .. l.Units - 1 do Array.Copy(b, rowOrder[i], b', i, 1)
                replaced[Leaves.parameterName l.Path "bias"] <- b'
        let result = model.Clone()
        result.LoadParameters(
            model.SaveParameters()
            |> Array.map (fun s -> match replaced.TryGetValue s.Name with
                                   | true, v -> { s with Data = v }
                                   | _ -> s),
            what)
        result

    /// Unit j's row of layer `li` in a model: incoming weights (inputs in order `inOrder`), bias,
    /// outgoing weights of the next layer (its outputs in order `outOrder`), into `dst` at row j.
    let private fillRows (layers: WeightLayer[]) (ws: float[][]) (bs: float[][]) (li: int)
                         (inOrder: int[]) (outOrder: int[]) (dst: float32[]) =
        let l, next = layers[li], layers[li + 1]
        let w, b, wn = ws[li], bs[li], ws[li + 1]
        let rowLen = l.InUnits * l.Inner
        let outLen = next.Units * next.Inner
        let d = rowLen + 1 + outLen
        let nextRow = next.InUnits * next.Inner
        for j in 0 .. l.Units - 1 do
            let o = j * d
            for c in 0 .. l.InUnits - 1 do
                let src = j * rowLen + inOrder[c] * l.Inner
                for k in 0 .. l.Inner - 1 do dst[o + c * l.Inner + k] <- float32 w[src + k]
            dst[o + rowLen] <- if isNull b then 0.0f else float32 b[j]
            for q in 0 .. next.Units - 1 do
                let src = outOrder[q] * nextRow + j * next.Inner
                for k in 0 .. next.Inner - 1 do dst[o + rowLen + 1 + q * next.Inner + k] <- float32 wn[src + k]
        d

    /// Aligns `model`'s hidden units to `reference`'s (same architecture). `seed` orders the layers
    /// in each round; `maxRounds` bounds the passes (Git Re-Basin stops after the first pass that
    /// improves no layer, which usually comes within a few).
    let alignWith (maxRounds: int) (seed: int) (reference: Module) (model: Module) : Alignment =
        let what = "WeightMatching.align"
        if isNull (box reference) then nullArg "reference"
        if isNull (box model) then nullArg "model"
        if maxRounds < 1 then invalidArg "maxRounds" $"{what}: maxRounds must be at least 1, got {maxRounds}"
        let la, lb = UnitLayout.ofPair what reference model
        let count = la.Length
        let wa, ba = la |> Array.map (fun l -> values l.Weight), la |> Array.map (fun l -> values l.Bias)
        let wb, bb = lb |> Array.map (fun l -> values l.Weight), lb |> Array.map (fun l -> values l.Bias)
        for l, w in Seq.append (Array.zip la wa) (Array.zip lb wb) do
            match w |> Array.tryFindIndex (Double.IsFinite >> not) with
            | Some i -> invalidArg "model" $"{what}: layer '{l.Path}' weight holds a non-finite value {w[i]} at flat index {i}"
            | None -> ()
        let orders = la |> Array.map (fun l -> identity l.Units)
        let hidden = Array.init (count - 1) id |> Array.filter (fun i -> la[i].Units > 1)
        // the reference's rows never change: its own orders are the identity
        let rowsA =
            hidden |> Array.map (fun li ->
                let l, next = la[li], la[li + 1]
                let buf = Array.zeroCreate<float32> (l.Units * (l.InUnits * l.Inner + 1 + next.Units * next.Inner))
                let d = fillRows la wa ba li (identity l.InUnits) (identity next.Units) buf
                Tensor.Wrap(buf, [| l.Units; d |]))
        let scores (h: int) =
            let li = hidden[h]
            let l = lb[li]
            let inOrder = if li = 0 then identity l.InUnits else orders[li - 1]
            let buf = Array.zeroCreate<float32> rowsA[h].Numel
            let d = fillRows lb wb bb li inOrder orders[li + 1] buf
            // C[i, j] = ⟨reference unit i, model unit j⟩: one GEMM, rowsA · rowsBᵀ
            let c = rowsA[h].Linear(Tensor.Wrap(buf, [| l.Units; d |]), null).ToArray()
            Array2D.init l.Units l.Units (fun i j -> c[i * l.Units + j])
        let gen = Generator(seed)
        let mutable rounds = 0
        let mutable improving = hidden.Length > 0
        use _ = Tensor.NoGrad()
        while improving && rounds < maxRounds do
            rounds <- rounds + 1
            improving <- false
            for h in gen.Permutation hidden.Length do
                let c = scores h
                let best = LinearAssignment.maximize c
                let before = LinearAssignment.total c orders[hidden[h]]
                let after = LinearAssignment.total c best
                if after > before + 1e-9 * (1.0 + abs before) then
                    orders[hidden[h]] <- best
                    improving <- true
        let perms = hidden |> Array.map (fun li -> la[li].Path, orders[li])
        let aligned = permute model perms
        let similarity =
            Array.zip reference.Parameters aligned.Parameters
            |> Array.sumBy (fun (p, q) -> Array.fold2 (fun s x y -> s + x * y) 0.0 (p.ToArray()) (q.ToArray()))
        { Aligned = aligned; Permutations = perms; Rounds = rounds; Similarity = similarity }

    /// `alignWith 100 seed`.
    let align (seed: int) (reference: Module) (model: Module) = alignWith 100 seed reference model
