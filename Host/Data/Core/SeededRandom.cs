namespace InitLab.Data;

/// <summary>
/// Small deterministic generator (SplitMix64). Own implementation rather than System.Random so
/// that sequences are fixed by this code alone, bit for bit, on every runtime version.
/// </summary>
internal sealed class SeededRandom
{
    private ulong _state;

    public SeededRandom(long seed, long stream = 0)
    {
        // Mix the stream in so (seed, epoch) pairs give unrelated sequences.
        _state = Mix((ulong)seed ^ Mix((ulong)stream + 0x632BE59BD9B4E019UL));
    }

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    public ulong NextUInt64()
    {
        _state += 0x9E3779B97F4A7C15UL;
        return Mix(_state);
    }

    /// <summary>Uniform integer in [0, n) without modulo bias (Lemire's method).</summary>
    public int NextInt(int n)
    {
        if (n <= 0) throw new ArgumentOutOfRangeException(nameof(n), n, "must be positive");
        ulong bound = (ulong)n;
        ulong threshold = (0UL - bound) % bound;
        while (true)
        {
            ulong x = NextUInt64();
            UInt128 m = (UInt128)x * bound;
            if ((ulong)m >= threshold) return (int)(m >> 64);
        }
    }

    /// <summary>Uniform double in [0, 1).</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform double in [lo, hi).</summary>
    public double Range(double lo, double hi) => lo + (hi - lo) * NextDouble();

    /// <summary>Fisher–Yates shuffle in place.</summary>
    public void Shuffle<T>(Span<T> items)
    {
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = NextInt(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    /// <summary>A random permutation of 0..n-1.</summary>
    public int[] Permutation(int n)
    {
        var p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        Shuffle<int>(p);
        return p;
    }
}
