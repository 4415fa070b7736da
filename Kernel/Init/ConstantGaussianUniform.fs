namespace InitLab.Kernel.Init

open System
open InitLab.Kernel

/// A constant fill (Caffe's "constant" filler; biases default to 0).
module ConstantInit =
    let values (value: float) (shape: int[]) =
        Sampling.checkShape "constant" shape
        if Double.IsNaN value then invalidArg "value" "constant initialiser: value is NaN"
        Array.create (Shape.numel shape) value

    let sample (value: float) (shape: int[]) = Sampling.toTensor Float32 shape (values value shape)

/// The textbook's Gaussian: std · N(0, 1), e.g. 0.01 · N(0, 1).
module GaussianInit =
    let values (std: float) (shape: int[]) (gen: Generator) =
        Sampling.checkShape "gaussian" shape
        if not (std >= 0.0 && Double.IsFinite std) then
            invalidArg "std" $"gaussian initialiser: standard deviation must be finite and ≥ 0, got {std}"
        Sampling.normal gen std (Shape.numel shape)

    let sample (std: float) (shape: int[]) (gen: Generator) = Sampling.toTensor Float32 shape (values std shape gen)

/// Uniform on [low, high).
module UniformInit =
    let values (low: float) (high: float) (shape: int[]) (gen: Generator) =
        Sampling.checkShape "uniform" shape
        if not (Double.IsFinite low && Double.IsFinite high && low <= high) then
            invalidArg "low" $"uniform initialiser: need finite low ≤ high, got [{low}, {high})"
        Sampling.uniform gen low high (Shape.numel shape)

    let sample (low: float) (high: float) (shape: int[]) (gen: Generator) =
        Sampling.toTensor Float32 shape (values low high shape gen)
