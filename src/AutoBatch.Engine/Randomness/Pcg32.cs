namespace AutoBatch.Engine.Randomness;

/// <summary>
/// PCG-XSH-RR 32-bit generator (O'Neill 2014). Used instead of <see cref="System.Random"/> because its whole
/// state is two integers that a checkpoint can store and restore exactly, and its sequence is fixed by this file
/// rather than by the runtime version.
/// </summary>
public sealed class Pcg32
{
    private const ulong Multiplier = 6364136223846793005UL;
    private ulong _state;
    private ulong _increment;

    /// <summary>Creates a generator from a seed and a stream id (different streams never overlap).</summary>
    public Pcg32(ulong seed, ulong stream = 54)
    {
        _increment = (stream << 1) | 1UL;
        _state = 0;
        NextUInt32();
        _state += seed;
        NextUInt32();
    }

    private Pcg32(ulong state, ulong increment, bool _)
    {
        _state = state;
        _increment = increment;
    }

    /// <summary>The full generator state, for checkpoints.</summary>
    public (ulong State, ulong Increment) GetState() => (_state, _increment);

    /// <summary>Restores a generator from <see cref="GetState"/>.</summary>
    public static Pcg32 FromState(ulong state, ulong increment)
    {
        if ((increment & 1UL) == 0)
        {
            throw new ArgumentException("A PCG increment is always odd; this state was not produced by GetState.", nameof(increment));
        }

        return new Pcg32(state, increment, true);
    }

    /// <summary>Next uniformly distributed 32-bit value.</summary>
    public uint NextUInt32()
    {
        ulong old = _state;
        _state = unchecked(old * Multiplier + _increment);
        uint xorShifted = (uint)(((old >> 18) ^ old) >> 27);
        int rotation = (int)(old >> 59);
        return (xorShifted >> rotation) | (xorShifted << (-rotation & 31));
    }

    /// <summary>Uniform integer in [0, bound) without modulo bias (Lemire's method).</summary>
    public int NextInt(int bound)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bound);
        uint b = (uint)bound;
        ulong m = (ulong)NextUInt32() * b;
        uint low = (uint)m;
        if (low < b)
        {
            uint threshold = unchecked((uint)-(int)b) % b;
            while (low < threshold)
            {
                m = (ulong)NextUInt32() * b;
                low = (uint)m;
            }
        }

        return (int)(m >> 32);
    }

    /// <summary>Uniform double in [0, 1) with 53 random bits.</summary>
    public double NextDouble()
    {
        ulong bits = ((ulong)NextUInt32() << 21) ^ NextUInt32();
        return (bits & ((1UL << 53) - 1)) * (1.0 / (1UL << 53));
    }

    /// <summary>Fisher–Yates shuffle of <paramref name="values"/> in place.</summary>
    public void Shuffle(Span<int> values)
    {
        for (int i = values.Length - 1; i > 0; i--)
        {
            int j = NextInt(i + 1);
            (values[i], values[j]) = (values[j], values[i]);
        }
    }
}
