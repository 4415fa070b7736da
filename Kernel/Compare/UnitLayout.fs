namespace InitLab.Kernel.Compare

open InitLab.Kernel
open InitLab.Kernel.Nn

/// A layer with weights seen as hidden units: its weight read as [Units; InUnits; Inner], where
/// InUnits are the previous layer's units (or the model's inputs for the first layer) and Inner the
/// values one (unit, input unit) pair holds: k·k for a convolution, 1 for a fully connected layer
/// after another, H·W for the first fully connected layer after a flatten (channel c of the
/// convolution feeds the block of columns c·H·W … (c + 1)·H·W − 1).
type WeightLayer =
    { /// the leaf's dotted path, the prefix of its parameter names
      Path: string
      Layer: Module
      Weight: Tensor
      /// null when the layer has no bias
      Bias: Tensor
      Units: int
      InUnits: int
      Inner: int }

/// Reads a Sequential stack of Conv2d / Linear layers with elementwise activations, pools, dropout
/// and flattens between them (LeNet-5, the TwoLayerNet, paper 001's LeNet) as a chain of
/// WeightLayers. Anything whose effect on a permutation of units is unknown is refused by name.
module UnitLayout =
    type private Axis =
        | Input
        | Channels of int
        | FlattenedChannels of int
        | Features of int

    let private describe (path: string) (m: Module) = $"layer '{path}' ({m.Describe()})"

    /// The weight layers of `model` in forward order; `what` names the caller in errors.
    let ofModel (what: string) (model: Module) : WeightLayer[] =
        let mutable axis = Input
        let layers = ResizeArray<WeightLayer>()
        for (path, m) in Leaves.ofModel model do
            match m with
            | :? Conv2d as c ->
                match axis with
                | Features _ | FlattenedChannels _ ->
                    invalidArg "model" $"{what}: {describe path m} follows a flatten or fully connected layer; only convolutions before fully connected layers are supported"
                | Channels n when n <> c.InChannels ->
                    invalidArg "model" $"{what}: {describe path m} takes {c.InChannels} channels but the layer before gives {n}"
                | _ -> ()
                layers.Add { Path = path; Layer = m; Weight = c.Weight; Bias = c.Bias; Units = c.OutChannels
                             InUnits = c.InChannels; Inner = c.KernelSize * c.KernelSize }
                axis <- Channels c.OutChannels
            | :? Linear as l ->
                let inUnits, inner =
                    match axis with
                    | Input -> l.InFeatures, 1
                    | Features n when n <> l.InFeatures ->
                        invalidArg "model" $"{what}: {describe path m} takes {l.InFeatures} features but the layer before gives {n}"
                    | Features n -> n, 1
                    | FlattenedChannels c when l.InFeatures % c <> 0 ->
                        invalidArg "model" $"{what}: {describe path m} takes {l.InFeatures} features, not a whole number of blocks for the {c} channels flattened before it"
                    | FlattenedChannels c -> c, l.InFeatures / c
                    | Channels _ ->
                        invalidArg "model" $"{what}: {describe path m} reads a convolution's [N; C; H; W] output without a Flatten before it"
                layers.Add { Path = path; Layer = m; Weight = l.Weight; Bias = l.Bias; Units = l.OutFeatures
                             InUnits = inUnits; Inner = inner }
                axis <- Features l.OutFeatures
            | :? Flatten ->
                match axis with
                | Channels c -> axis <- FlattenedChannels c
                | _ -> ()
            | :? Pool2d ->
                match axis with
                | Features _ | FlattenedChannels _ -> invalidArg "model" $"{what}: {describe path m} pools a flattened output"
                | _ -> ()
            // elementwise: a permutation of units passes through unchanged
            | :? ReLU | :? Sigmoid | :? Tanh | :? Dropout -> ()
            | _ ->
                invalidArg "model" $"{what}: {describe path m} is not known to commute with a permutation of hidden units (supported: Conv2d, Linear, ReLU, Sigmoid, Tanh, Dropout, max/avg pooling, Flatten)"
        if layers.Count = 0 then invalidArg "model" $"{what}: the model {model.Describe()} has no Conv2d or Linear layer"
        layers.ToArray()

    /// Checks that two models hold the same parameters: names, shapes and dtypes in one order.
    let checkParameters (what: string) (reference: Module) (model: Module) =
        if isNull (box reference) then nullArg "reference"
        if isNull (box model) then nullArg "model"
        let pa, pb = reference.NamedParameters, model.NamedParameters
        if pa.Length <> pb.Length then
            invalidArg "model" $"{what}: architectures differ: {pa.Length} parameters in the reference, {pb.Length} in the model"
        for (na, ta), (nb, tb) in Array.zip pa pb do
            if na <> nb || ta.Shape <> tb.Shape || ta.DType <> tb.DType then
                invalidArg "model" $"{what}: architectures differ: parameter '{na}' {Shape.show ta.Shape} ({ta.DType}) in the reference faces '{nb}' {Shape.show tb.Shape} ({tb.DType}) in the model"

    /// Both models' layouts, checked to be the same architecture layer by layer.
    let ofPair (what: string) (reference: Module) (model: Module) =
        let a = ofModel what reference
        let b = ofModel what model
        if a.Length <> b.Length then
            invalidArg "model" $"{what}: architectures differ: the reference has {a.Length} weight layers, the model {b.Length}"
        for la, lb in Array.zip a b do
            if la.Path <> lb.Path || la.Layer.Describe() <> lb.Layer.Describe() || la.Inner <> lb.Inner || la.Weight.DType <> lb.Weight.DType then
                invalidArg "model" $"{what}: architectures differ: layer '{la.Path}' is {la.Layer.Describe()} ({la.Weight.DType}) in the reference but '{lb.Path}' is {lb.Layer.Describe()} ({lb.Weight.DType}) in the model"
        checkParameters what reference model
        a, b
