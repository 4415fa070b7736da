namespace InitLab.Kernel

open System

/// One named array of saved state: a parameter ("conv1.weight"), an optimiser state array or counter
/// ("conv1.weight/momentum", "iteration") or a generator position. The one state type from the Kernel
/// (`Module.SaveParameters`, `Optimizer.SaveState`) to the checkpoint file, where it is one entry.
/// `Data` is a float32[], float[], int64[], int32[] or byte[] in row-major order, holding as many
/// elements as `Shape`'s product (the empty shape is a scalar); float32 stays float32, so state
/// round-trips bit for bit. Equality compares name, element type, shape and data bit for bit
/// (NaN equals the same NaN, -0.0 differs from 0.0).
[<CustomEquality; NoComparison>]
type StateBuffer =
    { Name: string
      Shape: int[]
      Data: Array }

    /// Number of elements.
    member this.ElementCount: int64 = if isNull this.Data then 0L else this.Data.LongLength

    member this.Equals(other: StateBuffer) =
        not (isNull (box other))
        && this.Name = other.Name
        && this.Shape = other.Shape
        && StateBuffer.SameBits(this.Data, other.Data)

    override this.Equals(other: obj) =
        match other with
        | :? StateBuffer as b -> this.Equals b
        | _ -> false

    override this.GetHashCode() =
        HashCode.Combine(this.Name, (if isNull this.Shape then -1 else this.Shape.Length), this.ElementCount)

    interface IEquatable<StateBuffer> with
        member this.Equals other = this.Equals other

    /// "conv1.weight: Single[6, 1, 5, 5]".
    override this.ToString() =
        let kind = if isNull this.Data then "null" else this.Data.GetType().GetElementType().Name
        let shape = if isNull this.Shape then "?" else String.Join(", ", this.Shape)
        $"{this.Name}: {kind}[{shape}]"

    static member private SameBits(a: Array, b: Array) =
        match a, b with
        | null, null -> true
        | null, _ | _, null -> false
        | (:? (float32[]) as x), (:? (float32[]) as y) -> Array.forall2 (fun (p: float32) q -> BitConverter.SingleToInt32Bits p = BitConverter.SingleToInt32Bits q) x y
        | (:? (float[]) as x), (:? (float[]) as y) -> Array.forall2 (fun (p: float) q -> BitConverter.DoubleToInt64Bits p = BitConverter.DoubleToInt64Bits q) x y
        | (:? (int64[]) as x), (:? (int64[]) as y) -> x = y
        | (:? (int[]) as x), (:? (int[]) as y) -> x = y
        | (:? (byte[]) as x), (:? (byte[]) as y) -> x = y
        | _ -> false
