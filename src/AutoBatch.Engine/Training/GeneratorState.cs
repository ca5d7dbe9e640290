namespace AutoBatch.Engine.Training;

/// <summary>The two words of a PCG32 generator (see <see cref="Randomness.Pcg32.GetState"/>).</summary>
/// <param name="State">Internal state.</param>
/// <param name="Increment">Stream increment (odd).</param>
public sealed record GeneratorState(ulong State, ulong Increment);
