namespace InitLab.Kernel.Nn

open System
open System.Collections.Generic
open InitLab.Kernel
open InitLab.Kernel.Init

/// A parameter with its dotted name ("conv1.weight"); C# deconstructs it: `var (name, value) = p`.
[<Struct>]
type NamedParameter =
    { Name: string
      Value: Tensor }
    member this.Deconstruct(name: outref<string>, value: outref<Tensor>) =
        name <- this.Name
        value <- this.Value

/// Base of all layers and models. A module maps a tensor to a tensor (`Forward`), owns named
/// parameters in a stable order (its own, then each child's prefixed with the child's name, so
/// `conv1.weight`, `conv1.bias`, … exactly as PyTorch names them) and a training flag.
[<AbstractClass>]
type Module() =
    let mutable training = true

    abstract Forward: Tensor -> Tensor
    /// This module's own parameters (not its children's), in a fixed order.
    abstract LocalParameters: (string * Tensor)[]
    default _.LocalParameters = [||]
    /// Named sub-modules, in forward order.
    abstract Children: (string * Module)[]
    default _.Children = [||]
    /// A new module of the same architecture (same sizes, dtype, options) whose parameter values are
    /// placeholders; `Clone` fills them from this one. Must not draw from any shared generator.
    abstract CreateSimilar: unit -> Module
    /// One line describing this module alone, e.g. "Linear(800 → 500)".
    abstract Describe: unit -> string

    /// Every parameter with its dotted name, in a stable order.
    member this.NamedParameters: (string * Tensor)[] =
        [| yield! this.LocalParameters
           for (childName, child) in this.Children do
               for (name, p) in child.NamedParameters -> childName + "." + name, p |]

    /// `NamedParameters` as name/value records, for C# and for optimiser factories.
    member this.ParametersByName: NamedParameter[] =
        this.NamedParameters |> Array.map (fun (name, p) -> { Name = name; Value = p })

    member this.Parameters: Tensor[] = this.NamedParameters |> Array.map snd
    /// Total number of scalar parameters.
    member this.ParameterCount: int64 = this.Parameters |> Array.sumBy (fun p -> int64 p.Numel)

    member _.IsTraining = training

    member private this.SetTraining(on: bool) =
        training <- on
        for (_, c) in this.Children do c.SetTraining on

    /// Training mode (dropout active); applies to all children. Returns this module.
    member this.Train() =
        this.SetTraining true
        this

    /// Evaluation mode (dropout off); applies to all children. Returns this module.
    member this.Eval() =
        this.SetTraining false
        this

    member this.ZeroGrad() = for p in this.Parameters do p.ZeroGrad()

    /// Copies every parameter value from `other` bit for bit, in place (tensors held elsewhere, e.g.
    /// by an optimiser, see the new values). Names, shapes and dtypes must match; nothing is written
    /// unless all of them do.
    member this.CopyFrom(other: Module) =
        if isNull (box other) then nullArg "other"
        let mine, theirs = this.NamedParameters, other.NamedParameters
        if mine.Length <> theirs.Length then
            invalidArg "other" $"CopyFrom: this {this.Describe()} has {mine.Length} parameters but the source {other.Describe()} has {theirs.Length}"
        for (n1, p1), (n2, p2) in Array.zip mine theirs do
            if n1 <> n2 then invalidArg "other" $"CopyFrom: parameter '{n1}' here faces '{n2}' in the source (architectures differ)"
            if p1.Shape <> p2.Shape then
                invalidArg "other" $"CopyFrom: parameter '{n1}' has shape {Shape.show p1.Shape} here but {Shape.show p2.Shape} in the source"
            if p1.DType <> p2.DType then
                invalidArg "other" $"CopyFrom: parameter '{n1}' is {p1.DType} here but {p2.DType} in the source"
        for (_, dst), (_, src) in Array.zip mine theirs do
            Array.Copy(src.Raw.DataArray, dst.Raw.DataArray, dst.Numel)

    /// A deep copy: same architecture, bit-identical parameters that are independent of this
    /// module's, same training mode.
    member this.Clone() : Module =
        let c = this.CreateSimilar()
        c.CopyFrom this
        for (_, dst), (_, src) in Array.zip c.NamedParameters this.NamedParameters do
            if src.RequiresGrad then dst.RequireGrad() |> ignore
        c.SetTraining training
        c

    /// Every parameter as a state array in its own element type (float32[] or float[], copies), in
    /// `NamedParameters` order: the one state type parameters share with optimiser state and checkpoints.
    member this.SaveParameters() : StateBuffer[] =
        this.NamedParameters
        |> Array.map (fun (name, p) -> { Name = name; Shape = Array.copy p.Shape; Data = p.ToValueArray() } : StateBuffer)

    /// Writes saved parameters into the model in place. Every parameter must be present with its shape
    /// and element type and hold finite values, and no unknown name may appear; all of it is checked
    /// before anything is written. Errors (ArgumentException) begin with `source` (e.g. the file).
    member this.LoadParameters(saved: seq<StateBuffer>, source: string) =
        if isNull (box saved) then nullArg "saved"
        let fail (msg: string) = invalidArg "saved" $"{source}: {msg}"
        let byName = Dictionary<string, StateBuffer>(StringComparer.Ordinal)
        for s in saved do
            if isNull s.Name then fail "a saved parameter has no name"
            if not (byName.TryAdd(s.Name, s)) then fail $"parameter '{s.Name}' appears more than once"
        let named = this.NamedParameters
        for (name, p) in named do
            match byName.TryGetValue name with
            | false, _ -> fail $"parameter '{name}' is missing"
            | true, t ->
                let shown (sh: int[]) = "[" + String.Join(", ", sh) + "]"
                if isNull t.Shape || t.Shape <> p.Shape then
                    let savedShape = if isNull t.Shape then "none" else shown t.Shape
                    fail $"parameter '{name}' has shape {savedShape}, the model expects {shown p.Shape}"
                let matches =
                    match t.Data, p.DType with
                    | (:? (float32[]) as d), Float32 -> Some(d.Length, Array.forall Single.IsFinite d)
                    | (:? (float[]) as d), Float64 -> Some(d.Length, Array.forall Double.IsFinite d)
                    | _ -> None
                match matches with
                | None ->
                    let given = if isNull t.Data then "empty" else t.Data.GetType().Name
                    fail $"parameter '{name}' is {given}, the model's is {p.DType}"
                | Some(n, _) when n <> p.Numel -> fail $"parameter '{name}' holds {n} values, the model expects {p.Numel}"
                | Some(_, false) -> fail $"parameter '{name}' holds NaN or infinite values"
                | Some _ -> ()
        let known = HashSet<string>(named |> Array.map fst, StringComparer.Ordinal)
        let unknown = byName.Keys |> Seq.filter (known.Contains >> not) |> Seq.toArray
        if unknown.Length > 0 then fail $"""unknown parameter(s) {String.Join(", ", unknown)}"""
        for (name, p) in named do p.CopyFrom(byName[name].Data)

    /// The module tree, one line per module, children indented under their names.
    override this.ToString() =
        let sb = Text.StringBuilder()
        let rec go (m: Module) (indent: string) (label: string) =
            sb.Append(indent).Append(label).Append(m.Describe()).AppendLine() |> ignore
            for (n, c) in m.Children do go c (indent + "  ") (n + ": ")
        go this "" ""
        sb.ToString().TrimEnd()

/// Helpers layers use to create their parameters.
module internal Param =
    let generatorOr (gen: Generator option) = match gen with Some g -> g | None -> DefaultGenerator.Current

    /// A parameter (a leaf that requires grad) drawn from `init`; fans come from `fanShape`.
    let create (init: Initializer) (shape: int[]) (fanShape: int[]) (gen: Generator) (dtype: DType) =
        init.Create(shape, gen, fanShape, dtype).RequireGrad()

    /// Placeholder values for `CreateSimilar` (no random draws).
    let placeholder = Constant 0.0

    let checkPositive (layer: string) (name: string) (v: int) =
        if v <= 0 then invalidArg name $"{layer}: {name} must be positive, got {v}"
