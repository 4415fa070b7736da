namespace InitLab.Kernel.Init

open InitLab.Kernel

/// Caffe's "xavier" filler: U(−s, s) with s = √(3/n), i.e. variance 1/n, where n is fan_in
/// (Caffe's default), fan_out or their average. Not the same as Glorot's 2/(fan_in + fan_out)
/// unless AVERAGE is chosen.
module CaffeXavierInit =
    /// s = √(3/n).
    let scale (mode: FanMode) (shape: int[]) = sqrt (3.0 / Fan.select mode shape)

    let values (mode: FanMode) (shape: int[]) (gen: Generator) =
        let scale = scale mode shape
        Sampling.uniform gen -scale scale (Shape.numel shape)

    let sample (mode: FanMode) (shape: int[]) (gen: Generator) = Sampling.toTensor Float32 shape (values mode shape gen)
