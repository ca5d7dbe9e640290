namespace AutoBatch.Beacons.Maps;

/// <summary>
/// Whether the best configurations cluster (paper, Sec. 4.1: "the top five configurations ... are clustered" in the
/// (C̄_K, L_K) plane, Fig. 3), both in the plane and in the grid.
/// </summary>
/// <remarks>
/// The plane is the map's normalised (ln C̄_K, ln L_K) square (<see cref="LogNormalisation"/>), so both measures weigh
/// equally. The spread of a set is the mean Euclidean distance over its pairs. <see cref="TighterSubsetFraction"/> is a
/// one-sided permutation test: the share of all size-<see cref="Count"/> subsets of the configurations whose spread
/// is ≤ the top set's (the top set included), exact by enumeration up to <see cref="MapRelations.ExactSubsetLimit"/>
/// subsets, otherwise estimated from that many seeded random subsets. A small value means the best configurations sit
/// closer together than chance would put them.
/// </remarks>
public sealed record TopClustering
{
    /// <summary>Size of the top set (the paper's five).</summary>
    public required int Count { get; init; }

    /// <summary>Labels of the top set, best first (lowest mean final test error over the finished seeds).</summary>
    public required IReadOnlyList<string> Labels { get; init; }

    /// <summary>Mean pairwise distance of the top set in the normalised plane.</summary>
    public required double TopSpread { get; init; }

    /// <summary>Mean pairwise distance over all configurations.</summary>
    public required double AllSpread { get; init; }

    /// <summary><see cref="TopSpread"/> / <see cref="AllSpread"/>; below 1 the top set is tighter than the whole map.</summary>
    public required double SpreadRatio { get; init; }

    /// <summary>Share of all subsets of the same size at least as tight as the top set (a permutation p-value).</summary>
    public required double TighterSubsetFraction { get; init; }

    /// <summary>Subsets compared.</summary>
    public required long SubsetsCompared { get; init; }

    /// <summary>True when every subset was enumerated; false when they were sampled.</summary>
    public required bool Exact { get; init; }

    /// <summary>
    /// Connected pieces of the top set in the grid, two configurations being neighbours when their batch-size and
    /// learning-rate indices (in the grid's sorted values) each differ by at most one; 1 = one contiguous patch.
    /// </summary>
    public required int GridComponents { get; init; }
}
