namespace AutoBatch.Beacons.Maps;

/// <summary>
/// The optimum region at one point of training: the surface is built from every configuration's (C̄_K, L_K) at
/// <see cref="Epoch"/> paired with its FINAL test error, so the region marks where the configurations that end best
/// were at that time. This is how the paper's "travelling history" (Fig. 5) reads, and what a controller steers
/// toward at the same epoch fraction.
/// </summary>
public sealed record RegionSnapshot
{
    /// <summary>Fraction of the epochs (see <see cref="EpochFractions"/>).</summary>
    public required double Fraction { get; init; }

    /// <summary>1-based epoch the measures were taken from (<see cref="EpochFractions.ToEpoch"/>).</summary>
    public required int Epoch { get; init; }

    /// <summary>Configurations on the surface at that epoch.</summary>
    public required int Configurations { get; init; }

    /// <summary>The region (its surface carries the normalisation of that epoch's points).</summary>
    public required OptimumRegion Region { get; init; }
}
