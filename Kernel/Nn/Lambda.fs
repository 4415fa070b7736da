namespace InitLab.Kernel.Nn

open InitLab.Kernel

/// A parameter-free module from a function, so plain functions compose with layers
/// (`Lambda("scale", fun x -> x * 0.5)`).
type Lambda(name: string, f: Tensor -> Tensor) =
    inherit Module()
    do if isNull (box f) then nullArg "f"
    override _.Forward(x) = f x
    override _.CreateSimilar() = Lambda(name, f)
    override _.Describe() = $"Lambda({name})"
