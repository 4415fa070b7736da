namespace InitLab.Kernel.Compare

open InitLab.Kernel.Nn

/// The layers a model applies in order, with nested Sequentials opened up: each leaf with its dotted
/// path, the prefix of its parameter names ("conv1", or "1.affine1" inside a wrapped Sequential).
module Leaves =
    let rec private walk (prefix: string) (m: Module) : (string * Module) list =
        match m with
        | :? Sequential as s ->
            [ for (name, child) in s.Children do
                  yield! walk (if prefix = "" then name else prefix + "." + name) child ]
        | _ -> [ prefix, m ]

    /// Every leaf module of `model` in forward order (a model that is no Sequential is its own leaf, path "").
    let ofModel (model: Module) : (string * Module)[] =
        if isNull (box model) then nullArg "model"
        walk "" model |> List.toArray

    /// The parameter name `local` ("weight", "bias") of the leaf at `path`.
    let parameterName (path: string) (local: string) = if path = "" then local else path + "." + local
