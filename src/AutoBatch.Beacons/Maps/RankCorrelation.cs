namespace AutoBatch.Beacons.Maps;

/// <summary>
/// Spearman's ρ between a measure and a grid factor over a set of configurations (one group of a
/// <see cref="RankRelation"/>, or all configurations pooled).
/// </summary>
public sealed record RankCorrelation
{
    /// <summary>
    /// The value the group holds fixed: a learning rate when the factor is the batch size, a batch size when it is
    /// the learning rate; null for the pooled correlation.
    /// </summary>
    public double? FixedAt { get; init; }

    /// <summary>Configurations in the group (non-diverged, non-collapsed, usable measures).</summary>
    public required int Configurations { get; init; }

    /// <summary>
    /// ρ; null when the group has fewer than <see cref="MapRelations.MinimumConfigurations"/> configurations or either
    /// side is constant.
    /// </summary>
    public required double? Spearman { get; init; }
}
