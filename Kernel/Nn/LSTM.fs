namespace InitLab.Kernel.Nn

open InitLab.Kernel
open InitLab.Kernel.Init
open InitLab.Kernel.Ops

/// A single-layer LSTM over a sequence, batch first: input [B; T; in] → outputs [B; T; H] plus the
/// final state (h, c), each [B; H]. Parameters and gate order as PyTorch (weight_ih [4H; in],
/// weight_hh [4H; H], bias_ih, bias_hh [4H]; i, f, g, o); default initialisation U(±1/√H).
type LSTM(inputSize: int, hiddenSize: int, ?bias: bool, ?weightInit: Initializer, ?biasInit: Initializer,
          ?gen: Generator, ?dtype: DType) =
    inherit Module()
    do
        Param.checkPositive "LSTM" "inputSize" inputSize
        Param.checkPositive "LSTM" "hiddenSize" hiddenSize
    let hasBias = defaultArg bias true
    // the layer is its cell unrolled over time: same parameters, same names (weight_ih, …)
    let cell = LSTMCell(inputSize, hiddenSize, hasBias, ?weightInit = weightInit, ?biasInit = biasInit, ?gen = gen, ?dtype = dtype)
    let wIh, wHh, bHh = cell.WeightIh, cell.WeightHh, cell.BiasHh

    member _.InputSize = inputSize
    member _.HiddenSize = hiddenSize
    member _.WeightIh: Tensor = wIh
    member _.WeightHh: Tensor = wHh
    member _.BiasIh: Tensor = cell.BiasIh
    member _.BiasHh: Tensor = bHh

    override _.LocalParameters = cell.LocalParameters

    /// The fused op over the whole sequence (Ops/LstmSequence.fs): [B; T; 2H] holding h_t then c_t;
    /// no tensors or buffers per time step, and none for a zero initial state.
    member private this.States(x: Tensor, h0: Tensor, c0: Tensor) =
        if isNull x then nullArg "x"
        if x.Rank <> 3 || x.Shape[2] <> inputSize || x.Shape[1] < 1 then
            invalidArg "x" $"{this.Describe()}: expected input [batch; time ≥ 1; {inputSize}], got {Shape.show x.Shape}"
        let b = x.Shape[0]
        let hasState = not (isNull h0 && isNull c0)
        let h0, c0 =
            if not hasState then h0, c0
            else
                let zeros () = Tensor.Zeros([| b; hiddenSize |], wIh.DType)
                (if isNull h0 then zeros () else h0), (if isNull c0 then zeros () else c0)
        if hasState then
            LstmMath.checkState (this.Describe()) "h0" b hiddenSize h0
            LstmMath.checkState (this.Describe()) "c0" b hiddenSize c0
        let weights = if hasBias then [| x; wIh; wHh; cell.BiasIh; bHh |] else [| x; wIh; wHh |]
        Tensor.Apply(LstmSequenceFn(hiddenSize, hasBias, hasState), (if hasState then Array.append weights [| h0; c0 |] else weights))

    /// Runs the whole sequence from (h0, c0) (zeros when null): returns outputs [B; T; H] and (h_T, c_T).
    member this.ForwardWithState(x: Tensor, h0: Tensor, c0: Tensor) : Tensor * (Tensor * Tensor) =
        let states = this.States(x, h0, c0)
        let last = states.Select(1, x.Shape[1] - 1)
        states.Narrow(2, 0, hiddenSize), (last.Narrow(1, 0, hiddenSize), last.Narrow(1, hiddenSize, hiddenSize))

    /// Runs the sequence from the zero state.
    member this.ForwardWithState(x: Tensor) = this.ForwardWithState(x, null, null)

    /// Outputs [B; T; H] from the zero state.
    override this.Forward(x) = this.States(x, null, null).Narrow(2, 0, hiddenSize)

    override _.CreateSimilar() =
        LSTM(inputSize, hiddenSize, hasBias, Param.placeholder, Param.placeholder, Generator(0), wIh.DType)

    override _.Describe() = $"""LSTM({inputSize} → {hiddenSize}{(if hasBias then "" else ", no bias")})"""
