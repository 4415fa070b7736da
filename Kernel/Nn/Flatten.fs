namespace InitLab.Kernel.Nn

open InitLab.Kernel

/// Keeps the batch axis and flattens the rest: [N; C; H; W] → [N; C·H·W].
type Flatten() =
    inherit Module()
    override _.Forward(x) =
        if isNull x then nullArg "x"
        if x.Rank < 1 then invalidArg "x" $"Flatten: needs a batch axis, got shape {Shape.show x.Shape}"
        x.Flatten()
    override _.CreateSimilar() = Flatten()
    override _.Describe() = "Flatten"
