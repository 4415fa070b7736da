namespace InitLab.Kernel.Optim

open System
open System.Collections.Generic

/// One saved state array, e.g. "optim/conv1.weight/momentum". `Data` is a float32[] or a float[]
/// matching the parameter's dtype, so float32 state round-trips exactly.
type StateBuffer =
    { Name: string
      Shape: int[]
      Data: Array }

/// Everything an optimiser needs to continue bit for bit: its kind (UpdateRule name), its state
/// arrays and its counters ("optim/iteration", "optim/<param>/step"). Plain types a host can persist.
type OptimizerState =
    { Kind: string
      Buffers: StateBuffer[]
      Scalars: IReadOnlyDictionary<string, float> }
