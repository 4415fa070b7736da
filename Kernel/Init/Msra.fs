namespace InitLab.Kernel.Init

open InitLab.Kernel

/// He et al. (2015), Caffe's "msra" filler: N(0, 2/n) with n = fan_in (default), fan_out or their
/// average — the variance that keeps ReLU activations' second moment constant through depth.
module MsraInit =
    /// √(2/n).
    let std (mode: FanMode) (shape: int[]) = sqrt (2.0 / Fan.select mode shape)

    let values (mode: FanMode) (shape: int[]) (gen: Generator) =
        Sampling.normal gen (std mode shape) (Shape.numel shape)

    let sample (mode: FanMode) (shape: int[]) (gen: Generator) = Sampling.toTensor Float32 shape (values mode shape gen)
