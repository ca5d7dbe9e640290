using System.Text.Json.Serialization;

namespace AutoBatch.Engine.Probe;

/// <summary>
/// What one rank rule makes of a probe's spectrum: the rank, the extreme eigenvalues it counts, and c_k.
/// </summary>
/// <param name="Rule">The rank rule applied.</param>
/// <param name="Rank">Eigenvalues counted as non-zero.</param>
/// <param name="LambdaMax">The largest eigenvalue (in float32 precision under <see cref="RankRule.Reference"/>).</param>
/// <param name="LambdaMinPositive">The smallest eigenvalue counted (0 when none is).</param>
public sealed record RuleMeasure(RankRule Rule, int Rank, double LambdaMax, double LambdaMinPositive)
{
    /// <summary>c_k = σ_max / σ_min+ = √(λ_max / λ_min+) (paper, Eq. 7); 0 when no eigenvalue counts.</summary>
    [JsonPropertyName("condition")]
    public double StepCondition => Rank > 0 && LambdaMinPositive > 0 ? Math.Sqrt(LambdaMax / LambdaMinPositive) : 0;

    /// <summary>
    /// The reference rule on eigenvalues computed in float32 (any order): negatives count as 0, and every eigenvalue
    /// above 0 counts.
    /// </summary>
    public static RuleMeasure Reference(ReadOnlySpan<float> eigenvalues)
    {
        int rank = 0;
        float max = 0, minPositive = float.PositiveInfinity;
        foreach (float e in eigenvalues)
        {
            if (e > 0)
            {
                rank++;
                max = Math.Max(max, e);
                minPositive = Math.Min(minPositive, e);
            }
        }

        return new RuleMeasure(RankRule.Reference, rank, max, rank > 0 ? minPositive : 0);
    }
}
