namespace InitLab.Kernel

open System
open System.Numerics
open System.Numerics.Tensors
open InitLab.Kernel.Raw

/// Creation of raw tensors by element type.
module RawTensors =
    let zeros (dtype: DType) (shape: int[]) : RawTensor =
        match dtype with
        | Float32 -> RawTensor<float32>.Of(BufferPool<float32>.RentZeroed(Shape.numel shape), shape)
        | Float64 -> RawTensor<float>.Of(BufferPool<float>.RentZeroed(Shape.numel shape), shape)

    let ofFloat64 (dtype: DType) (values: float[]) (shape: int[]) : RawTensor =
        match dtype with
        | Float32 -> RawTensor<float32>.Of(Array.map float32 values, shape)
        | Float64 -> RawTensor<float>.Of(Array.copy values, shape)

    let full (dtype: DType) (shape: int[]) (value: float) =
        let r = zeros dtype shape
        if value <> 0.0 then r.FillInPlace value
        r
