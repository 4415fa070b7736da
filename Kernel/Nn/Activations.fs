namespace InitLab.Kernel.Nn

open InitLab.Kernel

/// max(x, 0), elementwise.
type ReLU() =
    inherit Module()
    override _.Forward(x) = x.Relu()
    override _.CreateSimilar() = ReLU()
    override _.Describe() = "ReLU"

/// 1 / (1 + e^−x), elementwise.
type Sigmoid() =
    inherit Module()
    override _.Forward(x) = x.Sigmoid()
    override _.CreateSimilar() = Sigmoid()
    override _.Describe() = "Sigmoid"

/// tanh x, elementwise.
type Tanh() =
    inherit Module()
    override _.Forward(x) = x.Tanh()
    override _.CreateSimilar() = Tanh()
    override _.Describe() = "Tanh"
