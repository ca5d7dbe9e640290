namespace AutoBatch.Engine.Kernels;

/// <summary>
/// The extremes of F̃'s spectrum that a probe needs: λmax (clamped at 0), the numerical rank (eigenvalues with
/// √λ > √λmax · tolerance) and the smallest eigenvalue it counts (0 when the rank is 0).
/// </summary>
public readonly record struct SpectrumExtremes(double LambdaMax, int Rank, double LambdaMinPositive);
