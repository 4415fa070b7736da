namespace InitLab.Kernel.Nn

open System
open System.Collections.Generic
open InitLab.Kernel

/// Named children applied in order; parameter names are `childName.parameterName`.
type Sequential(children: seq<string * Module>) =
    inherit Module()
    let children =
        if isNull (box children) then nullArg "children"
        let cs = Seq.toArray children
        let seen = HashSet<string>()
        for (name, m) in cs do
            if String.IsNullOrWhiteSpace name then invalidArg "children" "Sequential: a child has an empty name"
            if name.Contains '.' then invalidArg "children" $"Sequential: child name '{name}' must not contain '.' (it separates parameter names)"
            if isNull (box m) then invalidArg "children" $"Sequential: child '{name}' is null"
            if not (seen.Add name) then invalidArg "children" $"Sequential: child name '{name}' is used twice"
        cs

    /// Children named by their position ("0", "1", …), as PyTorch's unnamed Sequential.
    static member OfModules(modules: seq<Module>) = Sequential(modules |> Seq.mapi (fun i m -> string i, m))

    override _.Children = Array.copy children
    member _.Count = children.Length

    /// The child with this name.
    member _.Item
        with get (name: string) =
            match children |> Array.tryFind (fun (n, _) -> n = name) with
            | Some(_, m) -> m
            | None ->
                let names = String.Join(", ", children |> Array.map fst)
                raise (KeyNotFoundException $"Sequential has no child '{name}' (children: {names})")

    override _.Forward(x) =
        let mutable y = x
        for (name, m) in children do
            try
                y <- m.Forward y
            with :? ArgumentException as e ->
                raise (ArgumentException($"in child '{name}': {e.Message}", e))
        y

    override _.CreateSimilar() = Sequential(children |> Array.map (fun (n, m) -> n, m.CreateSimilar()))
    override _.Describe() = "Sequential"

/// F# composition of modules.
[<AutoOpen>]
module Composition =
    /// `a --> b` applies a then b. Sequentials are spliced, keeping their children's names (which must
    /// then be unique); other modules, and children with numeric (positional) names, are named by
    /// their position in the result, as in PyTorch's unnamed Sequential.
    let (-->) (a: Module) (b: Module) : Sequential =
        let parts (m: Module) =
            match m with
            | :? Sequential as s -> s.Children |> Array.map (fun (n, c) -> Some n, c)
            | _ -> [| None, m |]
        let positional (n: string) = n |> Seq.forall Char.IsDigit
        let all = Array.append (parts a) (parts b)
        Sequential(
            all
            |> Array.mapi (fun i (n, m) ->
                match n with
                | Some name when not (positional name) -> name, m
                | _ -> string i, m))
