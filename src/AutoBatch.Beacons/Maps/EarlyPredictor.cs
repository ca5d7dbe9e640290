namespace AutoBatch.Beacons.Maps;

/// <summary>
/// Predicts a configuration's final test error from its (C̄_K, L_K) part-way through training. The paper observes
/// that the measures' relative positions are stable from the first epochs (Sec. 3.1, Fig. 1c), so "models and
/// training procedures can be reliably characterized early in the training process": the prediction is the
/// <see cref="ErrorSurface"/> (five nearest, inverse-distance weights) over the beacon configurations' positions at
/// the same epoch fraction, each carrying its FINAL mean test error.
/// </summary>
public sealed class EarlyPredictor
{
    /// <summary>Size of the top set compared by <see cref="EarlyPredictionResult.TopHitRate"/> (the paper's "top five").</summary>
    public const int TopCount = 5;

    private readonly IReadOnlyList<BeaconConfiguration> _configurations;

    /// <summary>A predictor over <paramref name="runs"/> of a grid of <paramref name="epochs"/> epochs; diverged runs are ignored.</summary>
    public EarlyPredictor(IReadOnlyList<BeaconRun> runs, int epochs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        ArgumentOutOfRangeException.ThrowIfLessThan(epochs, 1);
        _configurations = BeaconConfiguration.Group(runs.OrderBy(r => r.Id, StringComparer.Ordinal));
        Epochs = epochs;
    }

    /// <summary>A predictor over a map's runs.</summary>
    public EarlyPredictor(BeaconMap map)
        : this((map ?? throw new ArgumentNullException(nameof(map))).Runs, map.Grid.Epochs)
    {
    }

    /// <summary>Epochs of the grid.</summary>
    public int Epochs { get; }

    /// <summary>
    /// Predicted final test error of a run at <paramref name="measures"/> after <paramref name="fraction"/> of the
    /// epochs, from all beacon configurations; null when no beacon has usable measures at that fraction.
    /// </summary>
    public double? Predict(MeasurePoint measures, double fraction)
    {
        ArgumentNullException.ThrowIfNull(measures);
        if (!measures.IsUsable)
        {
            throw new ArgumentOutOfRangeException(nameof(measures), measures, "C̄_K and L_K must be finite and > 0.");
        }

        int epoch = EpochFractions.ToEpoch(fraction, Epochs);
        SurfacePoint[] points = _configurations.Select(c => c.PointAt(epoch)).OfType<SurfacePoint>().ToArray();
        return points.Length == 0 ? null : new ErrorSurface(points).Evaluate(measures.CumulativeCondition, measures.CumulativeEnergy);
    }

    /// <summary>
    /// Leave-one-configuration-out evaluation at <paramref name="fraction"/>: every configuration with usable
    /// measures is predicted from the OTHER configurations only (all of its own seeds are left out, so a
    /// configuration never predicts itself), and the predictions are compared with the actual mean final errors.
    /// Null when fewer than three configurations have usable measures at that fraction.
    /// </summary>
    public EarlyPredictionResult? Evaluate(double fraction)
    {
        int epoch = EpochFractions.ToEpoch(fraction, Epochs);
        SurfacePoint[] points = _configurations.Select(c => c.PointAt(epoch)).OfType<SurfacePoint>().ToArray();
        if (points.Length < 3)
        {
            return null;
        }

        var predictions = new ConfigurationPrediction[points.Length];
        for (int k = 0; k < points.Length; k++)
        {
            SurfacePoint[] others = points.Where((_, i) => i != k).ToArray();

            // The normalisation spans the others only, so nothing about the held-out configuration enters the model.
            var surface = new ErrorSurface(others);
            predictions[k] = new ConfigurationPrediction(points[k].Label, surface.Evaluate(points[k].CumulativeCondition, points[k].CumulativeEnergy), points[k].Error);
        }

        double[] predicted = predictions.Select(p => p.Predicted).ToArray();
        double[] actual = predictions.Select(p => p.Actual).ToArray();
        int top = Math.Min(TopCount, points.Length);
        HashSet<int> trueTop = RankStatistics.Lowest(actual, top);
        int hits = RankStatistics.Lowest(predicted, top).Count(trueTop.Contains);
        return new EarlyPredictionResult
        {
            Fraction = fraction,
            Epoch = epoch,
            Configurations = points.Length,
            MeanAbsoluteError = predictions.Average(p => Math.Abs(p.Predicted - p.Actual)),
            SpearmanCorrelation = RankStatistics.Spearman(predicted, actual),
            TopCount = top,
            TopHitRate = (double)hits / top,
            Predictions = predictions,
        };
    }
}
