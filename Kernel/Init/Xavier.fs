namespace InitLab.Kernel.Init

open InitLab.Kernel

/// Glorot & Bengio (2010), "Xavier" in PyTorch/Keras: variance gain² · 2 / (fan_in + fan_out).
module GlorotInit =
    /// N(0, gain² · 2/(fan_in + fan_out)).
    let normalStd (gain: float) (shape: int[]) =
        Sampling.checkPositive "xavier-normal" "gain" gain
        gain * sqrt (2.0 / float (Fan.fanIn shape + Fan.fanOut shape))

    let normalValues (gain: float) (shape: int[]) (gen: Generator) =
        Sampling.normal gen (normalStd gain shape) (Shape.numel shape)

    /// U(−b, b) with b = gain · √(6/(fan_in + fan_out)), i.e. the same variance as `normal`.
    let uniformBound (gain: float) (shape: int[]) =
        Sampling.checkPositive "xavier-uniform" "gain" gain
        gain * sqrt (6.0 / float (Fan.fanIn shape + Fan.fanOut shape))

    let uniformValues (gain: float) (shape: int[]) (gen: Generator) =
        let bound = uniformBound gain shape
        Sampling.uniform gen -bound bound (Shape.numel shape)

    let normal (shape: int[]) (gen: Generator) = Sampling.toTensor Float32 shape (normalValues 1.0 shape gen)
    let uniform (shape: int[]) (gen: Generator) = Sampling.toTensor Float32 shape (uniformValues 1.0 shape gen)
