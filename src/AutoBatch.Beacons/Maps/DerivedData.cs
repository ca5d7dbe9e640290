namespace AutoBatch.Beacons.Maps;

/// <summary>
/// What a beacon map derives from its runs: the interpolated error surface and its optimum region, the
/// region's trajectory over the epoch fraction, the best beacons and the early-prediction accuracy. Everything here
/// is recomputed by <see cref="BeaconMapBuilder"/> from the runs alone.
/// </summary>
public sealed record DerivedData
{
    /// <summary>Nearest points per interpolation (<see cref="ErrorSurface.Neighbours"/>).</summary>
    public required int Neighbours { get; init; }

    /// <summary>Inverse-distance exponent (<see cref="ErrorSurface.Power"/>).</summary>
    public required double Power { get; init; }

    /// <summary>Configurations with at least one finished (neither diverged nor collapsed) seed: the surface's data points.</summary>
    public required int Configurations { get; init; }

    /// <summary>Ids of the runs left out of every surface because they diverged (non-finite loss).</summary>
    public required IReadOnlyList<string> DivergedRuns { get; init; }

    /// <summary>
    /// Final test error at or above which a run that did not diverge counts as collapsed (<see cref="CollapseRule"/>);
    /// null in maps written before collapse detection.
    /// </summary>
    public double? CollapseThreshold { get; init; }

    /// <summary>
    /// Ids of the runs left out of every surface because they collapsed to chance level without diverging (empty in
    /// maps written before collapse detection).
    /// </summary>
    public IReadOnlyList<string> CollapsedRuns { get; init; } = [];

    /// <summary>
    /// The optimum region of the final epoch; its <see cref="OptimumRegion.Surface"/> is the map's error surface over
    /// the normalised (log C̄_K, log L_K) plane, with the normalisation (min/max of log C̄_K and log L_K over the
    /// configurations' final points).
    /// </summary>
    public required OptimumRegion Region { get; init; }

    /// <summary>The map's error surface (the final region's, not stored twice).</summary>
    public SurfaceGrid Surface => Region.Surface;

    /// <summary>
    /// The region at each of <see cref="EpochFractions.Trajectory"/> (measures at that fraction, final errors); a
    /// fraction at which no configuration has usable measures is left out.
    /// </summary>
    public required IReadOnlyList<RegionSnapshot> Trajectory { get; init; }

    /// <summary>The (up to) five configurations with the lowest mean final test error, best first.</summary>
    public required IReadOnlyList<BestBeacon> BestBeacons { get; init; }

    /// <summary>Leave-one-configuration-out early prediction at <see cref="EpochFractions.Prediction"/> (where possible).</summary>
    public required IReadOnlyList<EarlyPredictionResult> EarlyPrediction { get; init; }

    /// <summary>
    /// The paper's relations with numbers (rank correlations, top-set clustering, ordering stability); null in maps
    /// written before they were computed.
    /// </summary>
    public MapRelations? Relations { get; init; }

    /// <summary>
    /// The region snapshot whose fraction is nearest to <paramref name="fraction"/> (the earlier one on a tie): what a
    /// controller compares its live measures with at that point of training.
    /// </summary>
    public RegionSnapshot SnapshotAt(double fraction)
    {
        if (Trajectory.Count == 0)
        {
            throw new InvalidOperationException("The map has no region trajectory.");
        }

        return Trajectory.OrderBy(s => Math.Abs(s.Fraction - fraction)).ThenBy(s => s.Fraction).First();
    }
}
