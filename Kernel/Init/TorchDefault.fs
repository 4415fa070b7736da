namespace InitLab.Kernel.Init

open InitLab.Kernel

/// PyTorch's default for Linear and Conv layers: kaiming_uniform with a = √5, which works out to
/// U(−1/√fan_in, 1/√fan_in); the bias uses the same bound computed from the WEIGHT's fan_in.
module TorchDefaultInit =
    /// Values for a tensor of `shape` whose bound comes from the fan_in of `fanShape`
    /// (the weight's own shape for a weight, the weight's shape for its bias).
    let values (fanShape: int[]) (shape: int[]) (gen: Generator) =
        Sampling.checkShape "torch-default" shape
        let bound = 1.0 / sqrt (float (Fan.fanIn fanShape))
        Sampling.uniform gen -bound bound (Shape.numel shape)

    let sample (shape: int[]) (gen: Generator) = Sampling.toTensor Float32 shape (values shape shape gen)
