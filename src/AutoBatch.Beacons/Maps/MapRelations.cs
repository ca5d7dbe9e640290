namespace AutoBatch.Beacons.Maps;

/// <summary>
/// The paper's relations checked on a map with numbers (docs/BEACONS.md has the findings): how C̄_K and L_K rank with
/// B and α, whether the best configurations cluster, and how stable the ordering is early in training. Computed by
/// <see cref="BeaconMapBuilder"/> from the configurations that neither diverged nor collapsed; every measure is the
/// configuration's geometric mean over its finished seeds, as on the map's surface.
/// </summary>
public sealed record MapRelations
{
    /// <summary>Smallest group for which a rank correlation is reported (with two points ρ is ±1 by construction).</summary>
    public const int MinimumConfigurations = 3;

    /// <summary>Subsets enumerated exactly by the clustering test before it switches to sampling that many.</summary>
    public const long ExactSubsetLimit = 2_000_000;

    /// <summary>C̄_K against B within each α (paper, Sec. 4.1: "|B_k| is directly proportional to C̄_K").</summary>
    public required RankRelation ConditionWithBatchSize { get; init; }

    /// <summary>
    /// C̄_K against α within each B (paper, Sec. 4.1: "α_k is directly proportional to C̄_K and L_K", though Fig. 4a/b
    /// show C̄_K clustering by batch size almost independently of α).
    /// </summary>
    public required RankRelation ConditionWithLearningRate { get; init; }

    /// <summary>L_K against α within each B (paper, Sec. 4.1: grows with α; Fig. 4c/d: clusters by α).</summary>
    public required RankRelation EnergyWithLearningRate { get; init; }

    /// <summary>L_K against B within each α (paper, Sec. 4.1: "inversely proportional to L_K").</summary>
    public required RankRelation EnergyWithBatchSize { get; init; }

    /// <summary>Clustering of the top configurations; null with fewer than top-count + 1 configurations.</summary>
    public TopClustering? TopClustering { get; init; }

    /// <summary>Ordering stability at <see cref="EpochFractions.Prediction"/> (where the measures are usable).</summary>
    public required IReadOnlyList<OrderingStability> Stability { get; init; }
}
