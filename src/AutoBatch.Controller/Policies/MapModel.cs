using AutoBatch.Beacons.Maps;
using AutoBatch.Engine.Data;

namespace AutoBatch.Controller.Policies;

/// <summary>
/// What the closed-loop controller reads from a beacon map: the error surface and optimum region at every epoch
/// (<see cref="MapSurfaces"/>), and how the per-epoch measures c and l of the beacons change with the batch size at a
/// given learning rate, which is the controller's model of what a batch-size change will do. Runs that diverged or
/// collapsed to chance accuracy are left out: they say where training fails, not how the measures respond. The
/// configurations and their statistics (mean and standard deviation of final error, per-epoch means of c and l) are
/// the map's own (<see cref="BeaconConfiguration"/>, through <see cref="MapSurfaces.Configurations"/>); this type adds
/// what the law makes of them: δ's default, the noise σ̂ and the margin m.
/// </summary>
public sealed class MapModel
{
    // (batch size, learning rate) -> per-epoch geometric means of c and l over the usable seeds (0 = no data).
    private readonly Dictionary<(int BatchSize, double LearningRate), (double C, double L)[]> _epochMeasures = [];
    private readonly double[] _learningRates;

    /// <summary>Reads the model out of <paramref name="map"/>.</summary>
    public MapModel(BeaconMap map)
    {
        ArgumentNullException.ThrowIfNull(map);
        Map = map;
        Surfaces = new MapSurfaces(map);
        CollapseError = CollapseRule.Threshold(map.Grid.Data);
        IReadOnlyList<BeaconConfiguration> configurations = Surfaces.Configurations;
        if (configurations.Count == 0)
        {
            throw new ArgumentException("The beacon map has no run that finished above chance accuracy; it cannot steer a run.", nameof(map));
        }

        foreach (BeaconConfiguration configuration in configurations)
        {
            var perEpoch = new (double C, double L)[map.Grid.Epochs];
            for (int e = 0; e < perEpoch.Length; e++)
            {
                perEpoch[e] = configuration.EpochMeansAt(e + 1) ?? (0, 0);
            }

            _epochMeasures[(configuration.BatchSize, configuration.LearningRate)] = perEpoch;
        }

        _learningRates = _epochMeasures.Keys.Select(k => k.LearningRate).Distinct().Order().ToArray();
        MinBatchSize = _epochMeasures.Keys.Min(k => k.BatchSize);
        MaxBatchSize = _epochMeasures.Keys.Max(k => k.BatchSize);
        BeaconConfiguration[] seeded = configurations.Where(c => c.Finished.Count > 1).ToArray();
        SeedErrorStd = seeded.Length == 0 ? 0 : seeded.Average(c => c.StdFinalError);
        (FinalErrorNoise, NoiseFromSeeds) = Noise(configurations);
        SeedsPerConfiguration = configurations.Count / configurations.Sum(c => 1.0 / c.Finished.Count);
        ChangeMargin = FinalErrorNoise * Math.Sqrt(2 / SeedsPerConfiguration);
        BestError = configurations.Min(c => c.MeanFinalError);
    }

    /// <summary>The lowest mean final test error of a configuration (the best fixed beacon's).</summary>
    public double BestError { get; }

    /// <summary>How far below chance error a run must end to count as trained (0.05 = 5 points).</summary>
    public const double CollapseMargin = CollapseRule.Margin;

    /// <summary>The map.</summary>
    public BeaconMap Map { get; }

    /// <summary>Surfaces and regions per epoch.</summary>
    public MapSurfaces Surfaces { get; }

    /// <summary>Final test error at or above which a run counts as collapsed (<see cref="CollapseRule.Threshold(DataSetKind)"/>).</summary>
    public double CollapseError { get; }

    /// <summary>Smallest batch size with usable beacons.</summary>
    public int MinBatchSize { get; }

    /// <summary>Largest batch size with usable beacons.</summary>
    public int MaxBatchSize { get; }

    /// <summary>
    /// Mean over configurations with at least two usable seeds of the standard deviation of their final test errors:
    /// how much final error differs by seed alone (0 when no configuration has two seeds).
    /// </summary>
    public double SeedErrorStd { get; }

    /// <summary>
    /// σ̂, the standard deviation of one run's final test error from noise alone (a fraction). From repeated seeds when
    /// the map has them (<see cref="NoiseFromSeeds"/>): the pooled standard deviation over the configurations with at
    /// least two usable seeds, sqrt(Σ (n_i − 1) s_i² / Σ (n_i − 1)), the estimator of a common variance (a mean of
    /// standard deviations is biased low). A map with one seed per configuration cannot show seed noise; then the
    /// estimate is what its runs show of the same noise at their end: the last epoch's change of test error, whose
    /// variance is twice that of one value when the two epochs' noise is independent, sqrt(Σ d² / (2 · runs)). That
    /// estimate also carries what the last epoch still learned, and on a map with seeds it is far smaller than the seed
    /// noise (Fashion-MNIST MLP: 0.05 against 0.24 points), so it is a stopgap until the map has two seeds.
    /// </summary>
    public double FinalErrorNoise { get; }

    /// <summary>True when <see cref="FinalErrorNoise"/> comes from repeated seeds, false when from the runs' last epochs.</summary>
    public bool NoiseFromSeeds { get; }

    /// <summary>n, seeds per configuration (the harmonic mean over the usable configurations).</summary>
    public double SeedsPerConfiguration { get; }

    /// <summary>
    /// The margin m a batch-size change must be predicted to gain (docs/CONTROLLER.md, the law): the standard deviation
    /// of the difference between two configurations' mean final errors in this map, m = σ̂ · sqrt(2 / n)
    /// (<see cref="FinalErrorNoise"/>, <see cref="SeedsPerConfiguration"/>). The controller's predicted errors are read
    /// off a surface through those means, so two predictions closer than m are within the map's seed noise of each
    /// other.
    /// </summary>
    public double ChangeMargin { get; }

    /// <summary>
    /// The beacons' per-epoch (c, l) at <paramref name="batchSize"/>, at the map learning rate nearest
    /// <paramref name="learningRate"/> (in log scale) and 1-based map <paramref name="epoch"/>: linear interpolation in
    /// (log₂ B, log c / log l) between the beacons, constant beyond the outermost ones; null when no learning rate has
    /// data at that epoch.
    /// </summary>
    public (double EpochCondition, double EpochEnergy)? Measures(int batchSize, double learningRate, int epoch)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        foreach (double lr in _learningRates.OrderBy(r => Math.Abs(Math.Log(r / learningRate))).ThenBy(r => r))
        {
            var points = _epochMeasures.Where(kv => kv.Key.LearningRate == lr && epoch - 1 < kv.Value.Length && kv.Value[epoch - 1].C > 0)
                .Select(kv => (LogB: Math.Log2(kv.Key.BatchSize), LogC: Math.Log(kv.Value[epoch - 1].C), LogL: Math.Log(kv.Value[epoch - 1].L)))
                .OrderBy(p => p.LogB)
                .ToArray();
            if (points.Length > 0)
            {
                (double c, double l) = Interpolate(points, Math.Log2(batchSize));
                return (Math.Exp(c), Math.Exp(l));
            }
        }

        return null;
    }

    private static (double LogC, double LogL) Interpolate((double LogB, double LogC, double LogL)[] points, double logB)
    {
        if (logB <= points[0].LogB)
        {
            return (points[0].LogC, points[0].LogL);
        }

        for (int i = 1; i < points.Length; i++)
        {
            if (logB <= points[i].LogB)
            {
                var (a, b) = (points[i - 1], points[i]);
                double t = (logB - a.LogB) / (b.LogB - a.LogB);
                return (a.LogC + t * (b.LogC - a.LogC), a.LogL + t * (b.LogL - a.LogL));
            }
        }

        return (points[^1].LogC, points[^1].LogL);
    }

    private static (double Noise, bool FromSeeds) Noise(IReadOnlyList<BeaconConfiguration> configurations)
    {
        double squares = 0;
        int freedom = 0;
        foreach (BeaconConfiguration configuration in configurations.Where(c => c.Finished.Count > 1))
        {
            squares += configuration.SquaredDeviations;
            freedom += configuration.Finished.Count - 1;
        }

        if (freedom > 0)
        {
            return (Math.Sqrt(squares / freedom), true);
        }

        double[] steps = configurations.SelectMany(c => c.Finished)
            .Where(r => r.Epochs.Count > 1)
            .Select(r => r.Epochs[^1].TestError - r.Epochs[^2].TestError)
            .ToArray();
        return (steps.Length == 0 ? 0 : Math.Sqrt(steps.Sum(d => d * d) / (2.0 * steps.Length)), false);
    }
}
