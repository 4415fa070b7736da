namespace InitLab.Kernel.Nn

open InitLab.Kernel
open InitLab.Kernel.Init

/// The LSTM equations shared by the cell and the multi-step layer (PyTorch's gate order i, f, g, o):
/// gates = x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh, split in four blocks of H;
/// c' = σ(f)·c + σ(i)·tanh(g);  h' = σ(o)·tanh(c').
module internal LstmMath =
    /// One step from the input projection `xProj` = x·W_ihᵀ + b_ih ([B; 4H]) and the state (h, c).
    let step (hidden: int) (xProj: Tensor) (wHh: Tensor) (bHh: Tensor) (h: Tensor) (c: Tensor) =
        let gates = xProj + h.Linear(wHh, bHh)
        let i = gates.Narrow(1, 0, hidden).Sigmoid()
        let f = gates.Narrow(1, hidden, hidden).Sigmoid()
        let g = gates.Narrow(1, 2 * hidden, hidden).Tanh()
        let o = gates.Narrow(1, 3 * hidden, hidden).Sigmoid()
        let c' = f * c + i * g
        let h' = o * c'.Tanh()
        h', c'

    /// Weight and bias parameters for an LSTM: PyTorch's default is U(±1/√H) for all four.
    let parameters (inputSize: int) (hidden: int) (hasBias: bool) (weightInit: Initializer option)
                   (biasInit: Initializer option) (gen: Generator) (dtype: DType) =
        let k = 1.0 / sqrt (float hidden)
        let wInit = defaultArg weightInit (Uniform(-k, k))
        let bInit = defaultArg biasInit (Uniform(-k, k))
        let ihShape, hhShape = [| 4 * hidden; inputSize |], [| 4 * hidden; hidden |]
        let wIh = Param.create wInit ihShape ihShape gen dtype
        let wHh = Param.create wInit hhShape hhShape gen dtype
        let bIh, bHh =
            if hasBias then Param.create bInit [| 4 * hidden |] ihShape gen dtype, Param.create bInit [| 4 * hidden |] hhShape gen dtype
            else null, null
        wIh, wHh, bIh, bHh

    let named (wIh: Tensor) (wHh: Tensor) (bIh: Tensor) (bHh: Tensor) =
        if isNull bIh then [| "weight_ih", wIh; "weight_hh", wHh |]
        else [| "weight_ih", wIh; "weight_hh", wHh; "bias_ih", bIh; "bias_hh", bHh |]

    let checkState (layer: string) (what: string) (batch: int) (hidden: int) (s: Tensor) =
        if s.Shape <> [| batch; hidden |] then
            invalidArg what $"{layer}: state {what} has shape {Shape.show s.Shape}, expected [{batch}; {hidden}]"

/// One LSTM step (PyTorch's LSTMCell): weight_ih [4H; in], weight_hh [4H; H], bias_ih, bias_hh [4H],
/// gates in the order i, f, g, o. Default initialisation U(±1/√H) for all parameters.
type LSTMCell(inputSize: int, hiddenSize: int, ?bias: bool, ?weightInit: Initializer, ?biasInit: Initializer,
              ?gen: Generator, ?dtype: DType) =
    inherit Module()
    do
        Param.checkPositive "LSTMCell" "inputSize" inputSize
        Param.checkPositive "LSTMCell" "hiddenSize" hiddenSize
    let hasBias = defaultArg bias true
    let wIh, wHh, bIh, bHh =
        LstmMath.parameters inputSize hiddenSize hasBias weightInit biasInit (Param.generatorOr gen) (defaultArg dtype Float32)

    member _.InputSize = inputSize
    member _.HiddenSize = hiddenSize
    member _.WeightIh: Tensor = wIh
    member _.WeightHh: Tensor = wHh
    member _.BiasIh: Tensor = bIh
    member _.BiasHh: Tensor = bHh

    override _.LocalParameters = LstmMath.named wIh wHh bIh bHh

    /// One step from state (h, c), each [B; H]; returns the new (h, c).
    member this.Step(x: Tensor, h: Tensor, c: Tensor) : Tensor * Tensor =
        if isNull x then nullArg "x"
        if x.Rank <> 2 || x.Shape[1] <> inputSize then
            invalidArg "x" $"{this.Describe()}: expected input [B; {inputSize}], got {Shape.show x.Shape}"
        let b = x.Shape[0]
        LstmMath.checkState (this.Describe()) "h" b hiddenSize h
        LstmMath.checkState (this.Describe()) "c" b hiddenSize c
        LstmMath.step hiddenSize (x.Linear(wIh, bIh)) wHh bHh h c

    /// One step from the zero state, returning (h, c).
    member this.Step(x: Tensor) : Tensor * Tensor =
        if isNull x then nullArg "x"
        let zeros () = Tensor.Zeros([| (if x.Rank > 0 then x.Shape[0] else 0); hiddenSize |], wIh.DType)
        this.Step(x, zeros (), zeros ())

    /// One step from the zero state; returns h (use `Step` for the cell state too).
    override this.Forward(x) = fst (this.Step x)

    override _.CreateSimilar() =
        LSTMCell(inputSize, hiddenSize, hasBias, Param.placeholder, Param.placeholder, Generator(0), wIh.DType)

    override _.Describe() = $"""LSTMCell({inputSize} → {hiddenSize}{(if hasBias then "" else ", no bias")})"""
