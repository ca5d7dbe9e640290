using System.Text.Json.Serialization;

namespace AutoBatch.Controller.Comparison;

/// <summary>A schedule's (C̄_K, L_K) at one fraction of the epochs: geometric means over its seeds (paper, Fig. 5).</summary>
/// <param name="Fraction">Fraction of the epochs.</param>
/// <param name="Epoch">1-based epoch the measures are taken after.</param>
/// <param name="CumulativeCondition">Geometric mean of C̄_K.</param>
/// <param name="CumulativeEnergy">Geometric mean of L_K.</param>
/// <param name="Seeds">Seeds with usable measures at that epoch.</param>
public sealed record HistoryPoint(
    double Fraction,
    int Epoch,
    [property: JsonPropertyName("condition")] double CumulativeCondition,
    [property: JsonPropertyName("energy")] double CumulativeEnergy,
    int Seeds);
