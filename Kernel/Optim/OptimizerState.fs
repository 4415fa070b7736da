namespace InitLab.Kernel.Optim

open System
open System.Collections.Generic
open InitLab.Kernel

/// Everything an optimiser needs to continue bit for bit: its kind (UpdateRule name), its state
/// arrays and its counters ("optim/iteration", "optim/<param>/step"). Plain types a host can persist.
type OptimizerState =
    { Kind: string
      Buffers: StateBuffer[]
      Scalars: IReadOnlyDictionary<string, float> }
