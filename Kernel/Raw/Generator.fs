namespace InitLab.Kernel

open System
open System.Runtime.Intrinsics

/// A seeded, counter-based random generator (SplitMix64 over a counter): draw i is a pure function
/// of (seed, i), so streams are reproducible, independent of thread scheduling, and the whole state
/// is two numbers that a checkpoint can save and restore.
[<Sealed>]
type Generator(seed: uint64, counter: uint64) =
    let mutable seed = seed
    let mutable counter = counter
    static let golden = 0x9E3779B97F4A7C15UL

    static let mix (z: uint64) =
        let z = (z ^^^ (z >>> 30)) * 0xBF58476D1CE4E5B9UL
        let z = (z ^^^ (z >>> 27)) * 0x94D049BB133111EBUL
        z ^^^ (z >>> 31)

    static let offset = 0x632BE59BD9B4E019UL
    /// Draws NextDouble() below p are exactly the 53-bit draws below ⌈p·2⁵³⌉ (p·2⁵³ is exact in a double).
    static let dropBelow (p: float) =
        if not (p >= 0.0 && p <= 1.0) then invalidArg "p" $"mask probability {p} is outside [0, 1]"
        uint64 (Math.Ceiling(p * 9007199254740992.0))

    new(seed: int) = Generator(uint64 (int64 seed), 0UL)
    new(seed: uint64) = Generator(seed, 0UL)

    member _.Seed = seed
    /// Number of 64-bit draws taken so far.
    member _.Counter = counter
    /// (seed, counter): everything needed to resume the stream bit for bit.
    member _.State = struct (seed, counter)
    member _.Restore(savedCounter: uint64) = counter <- savedCounter
    /// Puts the stream back at a saved `State` (e.g. a dropout layer's in a network built from another seed).
    member _.Restore(savedSeed: uint64, savedCounter: uint64) =
        seed <- savedSeed
        counter <- savedCounter
    member this.Clone() = Generator(seed, counter)

    member _.NextUInt64() =
        counter <- counter + 1UL
        mix (seed * golden + counter * golden + offset)

    /// Fills `dst` with a dropout mask: element i is 0 where the i-th next NextDouble() would fall below
    /// p, else `keep`, and the stream advances by dst.Length as those calls would. A draw is a pure function
    /// of (seed, counter), so eight are mixed at once in 512-bit lanes, bit for bit the scalar draws.
    member _.FillMask(dst: Span<float32>, p: float, keep: float32) =
        let below = dropBelow p
        let start = seed * golden + offset
        let mutable i = 0
        if Vector512.IsHardwareAccelerated && dst.Length >= 16 then
            let vStart = Vector512.Create start
            let vGolden = Vector512.Create golden
            let m1, m2 = Vector512.Create 0xBF58476D1CE4E5B9UL, Vector512.Create 0x94D049BB133111EBUL
            let vBelow = Vector512.Create below
            let keepBits = Vector512.Create(BitConverter.SingleToUInt32Bits keep)
            let lanes = Vector512.Create(1UL, 2UL, 3UL, 4UL, 5UL, 6UL, 7UL, 8UL)
            let inline draws (c: uint64) =
                let mutable z = vStart + (Vector512.Create c + lanes) * vGolden
                z <- (z ^^^ Vector512.ShiftRightLogical(z, 30)) * m1
                z <- (z ^^^ Vector512.ShiftRightLogical(z, 27)) * m2
                z <- z ^^^ Vector512.ShiftRightLogical(z, 31)
                Vector512.GreaterThanOrEqual(Vector512.ShiftRightLogical(z, 11), vBelow)
            while i + 16 <= dst.Length do
                let c = counter + uint64 i
                let kept = Vector512.Narrow(draws c, draws (c + 8UL))
                (kept &&& keepBits).AsSingle().CopyTo(dst.Slice i)
                i <- i + 16
        while i < dst.Length do
            let z = mix (start + (counter + uint64 i + 1UL) * golden)
            dst[i] <- if (z >>> 11) < below then 0.0f else keep
            i <- i + 1
        counter <- counter + uint64 dst.Length

    /// The float64 mask (as the float32 overload; scalar).
    member _.FillMask(dst: Span<float>, p: float, keep: float) =
        let below = dropBelow p
        let start = seed * golden + offset
        for i in 0 .. dst.Length - 1 do
            let z = mix (start + (counter + uint64 i + 1UL) * golden)
            dst[i] <- if (z >>> 11) < below then 0.0 else keep
        counter <- counter + uint64 dst.Length

    /// Uniform in [0, 1) with 53 random bits.
    member this.NextDouble() = float (this.NextUInt64() >>> 11) * (1.0 / 9007199254740992.0)

    /// Uniform integer in [0, n).
    member this.NextInt(n: int) =
        if n <= 0 then invalidArg "n" $"NextInt needs a positive bound, got {n}"
        int ((this.NextUInt64() >>> 1) % uint64 n)

    /// Standard normal by Box–Muller (one value per two uniforms; simple and exactly reproducible).
    member this.NextNormal() =
        let u1 = 1.0 - this.NextDouble() // (0, 1]
        let u2 = this.NextDouble()
        sqrt (-2.0 * log u1) * cos (2.0 * Math.PI * u2)

    /// A new generator whose stream is derived from this one's next draw (for independent sub-streams).
    member this.Split() = Generator(this.NextUInt64(), 0UL)

    /// Fisher–Yates permutation of 0..n-1.
    member this.Permutation(n: int) =
        let p = Array.init n id
        for i in n - 1 .. -1 .. 1 do
            let j = this.NextInt(i + 1)
            let t = p[i]
            p[i] <- p[j]
            p[j] <- t
        p
