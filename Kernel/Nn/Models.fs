namespace InitLab.Kernel.Nn

open System
open System.Runtime.InteropServices
open InitLab.Kernel
open InitLab.Kernel.Init

/// Reference architectures.
[<AbstractClass; Sealed>]
type Models =
    /// Caffe's LeNet (examples/mnist/lenet_train_test.prototxt) for [N; 1; 28; 28]:
    /// conv1 20@5×5 → pool1 max 2/2 → conv2 50@5×5 → pool2 max 2/2 → ip1 800→500 → relu1 → ip2 10.
    /// Weights from `weightInit` (default Caffe's xavier, fan-in), biases from `biasInit` (default 0).
    /// The flatten before ip1 is implicit in Caffe's InnerProduct; here it is a parameter-free child.
    static member LeNet5(?weightInit: Initializer, ?biasInit: Initializer, ?gen: Generator, ?dtype: DType) : Sequential =
        let wi = defaultArg weightInit (XavierCaffe FanIn)
        let bi = defaultArg biasInit (Constant 0.0)
        let gen = Param.generatorOr gen
        let dtype = defaultArg dtype Float32
        Sequential [
            "conv1", Conv2d(1, 20, 5, weightInit = wi, biasInit = bi, gen = gen, dtype = dtype) :> Module
            "pool1", MaxPool2d(2, 2)
            "conv2", Conv2d(20, 50, 5, weightInit = wi, biasInit = bi, gen = gen, dtype = dtype)
            "pool2", MaxPool2d(2, 2)
            "flatten", Flatten()
            "ip1", Linear(800, 500, weightInit = wi, biasInit = bi, gen = gen, dtype = dtype)
            "relu1", ReLU()
            "ip2", Linear(500, 10, weightInit = wi, biasInit = bi, gen = gen, dtype = dtype) ]

    /// The textbook's two-layer net: affine1 in→hidden, sigmoid1, affine2 hidden→out; weights
    /// 0.01·N(0, 1) and biases 0 unless given.
    static member TwoLayerNet(inputSize: int, hiddenSize: int, outputSize: int, ?weightInit: Initializer,
                              ?biasInit: Initializer, ?gen: Generator, ?dtype: DType) : Sequential =
        let wi = defaultArg weightInit (Gaussian 0.01)
        let bi = defaultArg biasInit (Constant 0.0)
        let gen = Param.generatorOr gen
        let dtype = defaultArg dtype Float32
        Sequential [
            "affine1", Linear(inputSize, hiddenSize, weightInit = wi, biasInit = bi, gen = gen, dtype = dtype) :> Module
            "sigmoid1", Sigmoid()
            "affine2", Linear(hiddenSize, outputSize, weightInit = wi, biasInit = bi, gen = gen, dtype = dtype) ]

    /// The names `Create` accepts: the one list of reference networks the trainer, the CLI and the studies share.
    /// "digitcnn003" is paper 003's digit CNN (SequenceNets.DigitCnn, our reading of its Figure 2); its
    /// model-2 takes pairs [N; 2; 28; 28] labelled with 28 classes, which no `train` data set gives.
    static member Names: string[] = [| "lenet5"; "twolayer"; "paper001-lenet"; "digitcnn003" |]

    /// A reference network by name (see `Names`) with weights drawn from `gen`; `weightInit` in the
    /// form `Initializer.Parse` reads, or null for the network's default. "twolayer" is the textbook's
    /// 784-50-10 net behind a flatten, so it takes [N; 1; 28; 28] images like LeNet-5. "paper001-lenet" is
    /// paper 001's LeNet (`Paper001LeNet`: 7×7 conv1, ReLUs, MSRA by default) for [N; 1; 28; 28] and 10 classes.
    static member Create(name: string, gen: Generator, [<Optional; DefaultParameterValue(null: string)>] weightInit: string) : Module =
        if isNull (box gen) then nullArg "gen"
        let init = if isNull weightInit then None else Some(Initializer.Parse weightInit)
        match name with
        | "lenet5" -> Models.LeNet5(?weightInit = init, gen = gen) :> Module
        | "twolayer" -> Sequential.OfModules [ Flatten() :> Module; Models.TwoLayerNet(784, 50, 10, ?weightInit = init, gen = gen) ] :> Module
        | "digitcnn003" -> SequenceNets.DigitCnn({ DigitCnnSpec.Paper with WeightInit = defaultArg init DigitCnnSpec.Paper.WeightInit }, gen) :> Module
        | "paper001-lenet" -> Paper001LeNet.Create(1, 28, 28, 10, ?weightInit = init, gen = gen) :> Module
        | _ -> invalidArg "name" $"""unknown network '{name}'; expected one of {String.Join(", ", Models.Names)}"""
