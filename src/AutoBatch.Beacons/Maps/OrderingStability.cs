namespace AutoBatch.Beacons.Maps;

/// <summary>
/// How well the ordering of configurations part-way through training anticipates the final one (paper, Sec. 3.1:
/// the measures' relative positions are stable from the early epochs). All values are Spearman's ρ over the
/// configurations with usable measures at both epochs; null when undefined (constant side or too few configurations).
/// </summary>
public sealed record OrderingStability
{
    /// <summary>Fraction of the epochs.</summary>
    public required double Fraction { get; init; }

    /// <summary>1-based epoch of that fraction.</summary>
    public required int Epoch { get; init; }

    /// <summary>Configurations compared.</summary>
    public required int Configurations { get; init; }

    /// <summary>
    /// Ranking by the error predicted from the measures at <see cref="Epoch"/> (leave-one-configuration-out
    /// <see cref="EarlyPredictor"/>) against the ranking by final mean test error.
    /// </summary>
    public required double? PredictedError { get; init; }

    /// <summary>
    /// Baseline: ranking by the mean test error at <see cref="Epoch"/> itself against the final one. The measures
    /// earn their keep for early prediction where <see cref="PredictedError"/> beats this.
    /// </summary>
    public required double? CurrentError { get; init; }

    /// <summary>Ranking by C̄_K at <see cref="Epoch"/> against the ranking by final C̄_K.</summary>
    public required double? Condition { get; init; }

    /// <summary>Ranking by L_K at <see cref="Epoch"/> against the ranking by final L_K.</summary>
    public required double? Energy { get; init; }
}
