namespace InitLab.Kernel.Nn

open InitLab.Kernel
open InitLab.Kernel.Init

/// Paper 003's digit CNN. The paper's Figure 2 is not in its text, which names only 16 convolution
/// filters, pooling and dropout 0.25; this is our reading of it, a record a reader can change:
/// conv Filters@KernelSize×KernelSize → ReLU → max-pool Pool → dropout → flatten → fc Hidden → ReLU → fc Outputs.
type DigitCnnSpec =
    { InChannels: int
      ImageSize: int
      Filters: int
      KernelSize: int
      Pool: int
      Dropout: float
      Hidden: int
      Outputs: int
      /// PyTorch's default (as the peer benchmark uses) unless changed
      WeightInit: Initializer }
    /// conv 16@3×3, ReLU, max-pool 2, dropout 0.25, fc 128, ReLU, fc 10 on 28×28 digits.
    static member Paper =
        { InChannels = 1; ImageSize = 28; Filters = 16; KernelSize = 3; Pool = 2; Dropout = 0.25
          Hidden = 128; Outputs = 10; WeightInit = TorchDefault }
    /// Side of the pooled feature maps.
    member s.PooledSize = (s.ImageSize - s.KernelSize + 1) / s.Pool

/// The LSTM on a sequence of CNN outputs (model-2) or one-hot labels (model-1), read out by a linear
/// layer from the last step's hidden state.
type SequenceLstmSpec =
    { InputSize: int
      Hidden: int
      Classes: int }
    /// Paper 003: 10 inputs per step, hidden 64, 28 classes (c = 2b − a ∈ −9..18).
    static member Paper = { InputSize = 10; Hidden = 64; Classes = 28 }

/// LSTM then a linear layer on the last step: [N; T; in] → [N; classes]. Children "lstm", "head".
type LstmClassifier(spec: SequenceLstmSpec, ?gen: Generator, ?dtype: DType) =
    inherit Module()
    let gen = Param.generatorOr gen
    let dtype = defaultArg dtype Float32
    let lstm = LSTM(spec.InputSize, spec.Hidden, gen = gen, dtype = dtype)
    let head = Linear(spec.Hidden, spec.Classes, gen = gen, dtype = dtype)
    member _.Spec = spec
    override _.Children = [| "lstm", lstm :> Module; "head", head :> Module |]
    override _.Forward(x) =
        let outputs = lstm.Forward x
        head.Forward(outputs.Select(1, outputs.Shape[1] - 1))
    override _.CreateSimilar() = LstmClassifier(spec, Generator(0), dtype)
    override _.Describe() = $"LstmClassifier({spec.InputSize} → LSTM {spec.Hidden} → {spec.Classes})"

/// Paper 003's model-2: image k of a pair [N; K; H; W] goes through CNN k, the K outputs form a
/// length-K sequence for the LSTM classifier; trained end to end. Children "cnn1", "cnn2", …, "rnn".
type CnnLstm(cnns: Module[], rnn: LstmClassifier) =
    inherit Module()
    do if isNull cnns || cnns.Length = 0 then invalidArg "cnns" "CnnLstm needs at least one CNN"
    member _.Cnns = Array.copy cnns
    member _.Rnn = rnn
    override _.Children =
        Array.append (cnns |> Array.mapi (fun i c -> $"cnn{i + 1}", c)) [| "rnn", rnn :> Module |]
    override this.Forward(x) =
        if x.Rank <> 4 || x.Shape[1] <> cnns.Length then
            invalidArg "x" $"{this.Describe()}: expected [N; {cnns.Length}; H; W] (one image per CNN), got {Shape.show x.Shape}"
        let steps = cnns |> Array.mapi (fun k cnn -> cnn.Forward(x.Narrow(1, k, 1)))
        rnn.Forward(TensorOps.Stack(steps, 1))
    override _.CreateSimilar() = CnnLstm(cnns |> Array.map (fun c -> c.CreateSimilar()), rnn.CreateSimilar() :?> LstmClassifier)
    override _.Describe() = $"CnnLstm({cnns.Length} CNNs → {rnn.Describe()})"

/// Paper 003's networks, built from their specs.
[<AbstractClass; Sealed>]
type SequenceNets =
    /// The digit CNN: children conv1, relu1, pool1, dropout1, flatten, fc1, relu2, fc2.
    static member DigitCnn(spec: DigitCnnSpec, gen: Generator, ?dtype: DType) : Sequential =
        let dtype = defaultArg dtype Float32
        let wi = spec.WeightInit
        let flat = spec.Filters * spec.PooledSize * spec.PooledSize
        if spec.PooledSize < 1 then
            invalidArg "spec" $"DigitCnn: a {spec.KernelSize}×{spec.KernelSize} convolution and pool {spec.Pool} leave nothing of a {spec.ImageSize}×{spec.ImageSize} image"
        Sequential [
            "conv1", Conv2d(spec.InChannels, spec.Filters, spec.KernelSize, weightInit = wi, biasInit = wi, gen = gen, dtype = dtype) :> Module
            "relu1", ReLU()
            "pool1", MaxPool2d(spec.Pool)
            "dropout1", Dropout(spec.Dropout, gen.Split())
            "flatten", Flatten()
            "fc1", Linear(flat, spec.Hidden, weightInit = wi, biasInit = wi, gen = gen, dtype = dtype)
            "relu2", ReLU()
            "fc2", Linear(spec.Hidden, spec.Outputs, weightInit = wi, biasInit = wi, gen = gen, dtype = dtype) ]

    /// The LSTM read-out (model-1's LSTM on one-hot labels, or model-2's on CNN outputs).
    static member LstmClassifier(spec: SequenceLstmSpec, gen: Generator, ?dtype: DType) =
        LstmClassifier(spec, gen, defaultArg dtype Float32)

    /// Model-2: one CNN per image of the pair, their outputs as a length-2 sequence into the LSTM classifier.
    static member Model2(cnn: DigitCnnSpec, lstm: SequenceLstmSpec, gen: Generator, ?dtype: DType) =
        let dtype = defaultArg dtype Float32
        if lstm.InputSize <> cnn.Outputs then
            invalidArg "lstm" $"Model2: the LSTM takes {lstm.InputSize} inputs per step but each CNN gives {cnn.Outputs}"
        let cnns = [| for _ in 1 .. 2 -> SequenceNets.DigitCnn(cnn, gen, dtype) :> Module |]
        CnnLstm(cnns, LstmClassifier(lstm, gen, dtype))

    /// The first convolution layer's filters of a digit CNN as [filters][in·k·k] (for filter comparisons).
    static member FirstFilters(cnn: Module) : float[][] =
        let w = cnn.NamedParameters |> Array.find (fun (n, _) -> n = "conv1.weight") |> snd
        let per = w.Numel / w.Shape[0]
        let all = w.ToArray()
        Array.init w.Shape[0] (fun i -> all[i * per .. (i + 1) * per - 1])
