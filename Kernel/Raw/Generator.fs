namespace InitLab.Kernel

open System

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
        mix (seed * golden + counter * golden + 0x632BE59BD9B4E019UL)

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
