using AutoBatch.Beacons.Maps;
using AutoBatch.Engine.Data;

namespace AutoBatch.Controller.Policies;

/// <summary>
/// What the closed-loop controller reads from a beacon map: the error surface and optimum region at every epoch
/// (<see cref="MapSurfaces"/>), and how the per-epoch measures c and l of the beacons change with the batch size at a
/// given learning rate, which is the controller's model of what a batch-size change will do. Runs that diverged or
/// collapsed to chance accuracy are left out: they say where training fails, not how the measures respond.
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
        double chance = 1.0 - 1.0 / map.Grid.Data.ClassCount();
        CollapseError = chance - CollapseMargin;
        BeaconRun[] usable = map.Runs.Where(r => !r.Diverged && r.FinalTestError < CollapseError).ToArray();
        if (usable.Length == 0)
        {
            throw new ArgumentException("The beacon map has no run that finished above chance accuracy; it cannot steer a run.", nameof(map));
        }

        foreach (var group in usable.GroupBy(r => (r.BatchSize, r.LearningRate)))
        {
            var perEpoch = new (double C, double L)[map.Grid.Epochs];
            for (int e = 0; e < perEpoch.Length; e++)
            {
                var values = group.Where(r => e < r.Epochs.Count && r.Epochs[e].EpochCondition > 0 && r.Epochs[e].EpochEnergy > 0)
                    .Select(r => (C: Math.Log(r.Epochs[e].EpochCondition), L: Math.Log(r.Epochs[e].EpochEnergy)))
                    .ToArray();
                perEpoch[e] = values.Length == 0 ? (0, 0) : (Math.Exp(values.Average(v => v.C)), Math.Exp(values.Average(v => v.L)));
            }

            _epochMeasures[group.Key] = perEpoch;
        }

        _learningRates = _epochMeasures.Keys.Select(k => k.LearningRate).Distinct().Order().ToArray();
        MinBatchSize = _epochMeasures.Keys.Min(k => k.BatchSize);
        MaxBatchSize = _epochMeasures.Keys.Max(k => k.BatchSize);
        double[] stds = usable.GroupBy(r => (r.BatchSize, r.LearningRate))
            .Where(g => g.Count() > 1)
            .Select(g => StandardDeviation(g.Select(r => r.FinalTestError).ToArray()))
            .ToArray();
        SeedErrorStd = stds.Length == 0 ? 0 : stds.Average();
        BestError = usable.GroupBy(r => (r.BatchSize, r.LearningRate)).Min(g => g.Average(r => r.FinalTestError));
    }

    /// <summary>The lowest mean final test error of a configuration (the best fixed beacon's).</summary>
    public double BestError { get; }

    /// <summary>How far below chance error a run must end to count as trained (0.05 = 5 points).</summary>
    public const double CollapseMargin = MapSurfaces.CollapseMargin;

    /// <summary>The map.</summary>
    public BeaconMap Map { get; }

    /// <summary>Surfaces and regions per epoch.</summary>
    public MapSurfaces Surfaces { get; }

    /// <summary>Final test error at or above which a run counts as collapsed (chance minus <see cref="CollapseMargin"/>).</summary>
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
    /// The beacons' per-epoch (c, l) at <paramref name="batchSize"/>, at the map learning rate nearest
    /// <paramref name="learningRate"/> (in log scale) and 1-based map <paramref name="epoch"/>: linear interpolation in
    /// (log₂ B, log c / log l) between the beacons, constant beyond the outermost ones; null when no learning rate has
    /// data at that epoch.
    /// </summary>
    public (double Condition, double Energy)? Measures(int batchSize, double learningRate, int epoch)
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

    private static double StandardDeviation(double[] values)
    {
        double mean = values.Average();
        return Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Length - 1));
    }
}
