namespace Waybill.Common;

/// <summary>
/// SplitMix64 (Steele, Lea, Flood 2014): a tiny, fast generator that gives the same stream on every runtime, unlike
/// <see cref="System.Random"/>'s algorithm. Used wherever an answer must be reproducible from a seed (transit
/// estimates, the sandbox network's journeys).
/// </summary>
public struct SplitMix64(ulong seed)
{
    private ulong _state = seed;

    public ulong Next()
    {
        unchecked
        {
            var z = _state += 0x9E3779B97F4A7C15UL;
            return Mix(z);
        }
    }

    /// <summary>In (0, 1): 53 random bits, never 0 so a logarithm of it is finite.</summary>
    public double NextUnit() => ((Next() >> 11) + 0.5) / (1UL << 53);

    /// <summary>An integer in [0, <paramref name="count"/>).</summary>
    public int NextInt(int count) => (int)(NextUnit() * count);

    /// <summary>True with probability <paramref name="p"/>.</summary>
    public bool Chance(double p) => NextUnit() < p;

    /// <summary>Box-Muller; the second variate is dropped to keep the stream simple.</summary>
    public double NextStandardNormal() => Math.Sqrt(-2.0 * Math.Log(NextUnit())) * Math.Cos(2.0 * Math.PI * NextUnit());

    /// <summary>SplitMix64's finaliser: a well-mixed 64-bit value of <paramref name="z"/>.</summary>
    public static ulong Mix(ulong z)
    {
        unchecked
        {
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }
    }

    /// <summary>A stream's seed from a run's seed and a stable text (FNV-1a of its characters, then mixed): the same on every runtime.</summary>
    public static ulong SeedOf(ulong seed, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var hash = 14695981039346656037UL;
        unchecked
        {
            foreach (var c in text)
            {
                hash = (hash ^ c) * 1099511628211UL;
            }
            return Mix(seed ^ Mix(hash));
        }
    }
}
