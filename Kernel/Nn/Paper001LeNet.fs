namespace InitLab.Kernel.Nn

open InitLab.Kernel
open InitLab.Kernel.Init

/// The LeNet-5 of paper 001 (Suzuki, Shouno, Sakanashi): conv1 20@7×7 on the input's channels → relu1
/// → pool1 max 2 → conv2 50@5×5 → relu2 → pool2 max 2 → flatten → fc1 500 → relu3 → fc2 classes.
/// The paper prints C1 as 20×3×7×7 while its inputs are grey (1 channel); we use the input's channels.
/// Pooling floors odd sides (MNIST: 28 → 22 → 11 → 7 → 3, so fc1 sees 50·3·3; CIFAR grey 32: 50·4·4).
[<AbstractClass; Sealed>]
type Paper001LeNet =
    /// Side of the feature map fc1 sees for an input side `side`.
    static member FeatureSide(side: int) = ((side - 6) / 2 - 4) / 2

    /// The network for [N; channels; height; width] inputs; weights from `weightInit` (default MSRA,
    /// fan-in, the paper's baseline), biases 0.
    static member Create(channels: int, height: int, width: int, classes: int, ?weightInit: Initializer,
                         ?gen: Generator, ?dtype: DType) : Sequential =
        Paper001LeNet.Build(channels, height, width, classes, weightInit, gen, dtype)

    /// `Create` for C#: the network with its default weights (MSRA, fan-in) drawn from `gen`, float32.
    static member Create(channels: int, height: int, width: int, classes: int, gen: Generator) : Sequential =
        if isNull (box gen) then nullArg "gen"
        Paper001LeNet.Build(channels, height, width, classes, None, Some gen, None)

    static member private Build(channels: int, height: int, width: int, classes: int, weightInit: Initializer option,
                                gen: Generator option, dtype: DType option) : Sequential =
        let fh, fw = Paper001LeNet.FeatureSide height, Paper001LeNet.FeatureSide width
        if fh < 1 || fw < 1 then
            invalidArg "height" $"Paper001LeNet: input {height}×{width} is too small (needs at least 16×16 for 7×7, pool, 5×5, pool)"
        if classes < 2 then invalidArg "classes" $"Paper001LeNet: classes must be ≥ 2, got {classes}"
        let wi = defaultArg weightInit (Msra FanIn)
        let bi = Constant 0.0
        let gen = Param.generatorOr gen
        let dtype = defaultArg dtype Float32
        Sequential [
            "conv1", Conv2d(channels, 20, 7, weightInit = wi, biasInit = bi, gen = gen, dtype = dtype) :> Module
            "relu1", ReLU()
            "pool1", MaxPool2d(2, 2)
            "conv2", Conv2d(20, 50, 5, weightInit = wi, biasInit = bi, gen = gen, dtype = dtype)
            "relu2", ReLU()
            "pool2", MaxPool2d(2, 2)
            "flatten", Flatten()
            "fc1", Linear(50 * fh * fw, 500, weightInit = wi, biasInit = bi, gen = gen, dtype = dtype)
            "relu3", ReLU()
            "fc2", Linear(500, classes, weightInit = wi, biasInit = bi, gen = gen, dtype = dtype) ]

    /// The layers Algorithm 1 initialises, in order (conv2 sees conv1's initialised output).
    static member DataDrivenLayers = [| "conv1"; "conv2" |]
