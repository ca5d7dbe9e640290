using System.Text.Json.Serialization;

namespace AutoBatch.Beacons.Maps;

/// <summary>A position in the paper's measurement plane (Fig. 1b): C̄_K, Eq. (7), and L_K, Eq. (8).</summary>
/// <param name="CumulativeCondition">C̄_K, the running mean of the truncated condition number (dimensionless, ≥ 1).</param>
/// <param name="CumulativeEnergy">L_K, the learning-rate-weighted cumulative energy of the Fisher matrix (&gt; 0).</param>
public sealed record MeasurePoint(
    [property: JsonPropertyName("condition")] double CumulativeCondition, [property: JsonPropertyName("energy")] double CumulativeEnergy)
{
    /// <summary>
    /// True when both measures are finite and positive, so that their logarithms exist. A run whose probe never
    /// produced a valid measurement reports C̄_K = 0 and cannot be placed on the log-log plane.
    /// </summary>
    public bool IsUsable => double.IsFinite(CumulativeCondition) && double.IsFinite(CumulativeEnergy) && CumulativeCondition > 0 && CumulativeEnergy > 0;
}
