namespace InitLab.Kernel

open System
open System.Numerics
open System.Numerics.Tensors
open InitLab.Kernel.Raw

/// Element type of a tensor.
type DType =
    | Float32
    | Float64
    override this.ToString() = match this with Float32 -> "float32" | Float64 -> "float64"

[<RequireQualifiedAccess>]
type UnaryOp =
    | Neg | Exp | Log | Sqrt | Abs | Relu | Sigmoid | Tanh | Square | Sign

[<RequireQualifiedAccess>]
type BinaryOp =
    | Add | Sub | Mul | Div | Max | Min
