namespace AutoBatch.Beacons.Maps;

/// <summary>
/// Leave-one-configuration-out accuracy of <see cref="EarlyPredictor"/> at one epoch fraction (docs/DESIGN.md,
/// 'Beacon maps', early prediction).
/// </summary>
public sealed record EarlyPredictionResult
{
    /// <summary>Fraction of the epochs at which the measures were read.</summary>
    public required double Fraction { get; init; }

    /// <summary>1-based epoch the measures were read at.</summary>
    public required int Epoch { get; init; }

    /// <summary>Configurations predicted.</summary>
    public required int Configurations { get; init; }

    /// <summary>Mean absolute difference between predicted and actual final test error (fraction).</summary>
    public required double MeanAbsoluteError { get; init; }

    /// <summary>Spearman rank correlation between predicted and actual errors; null when either is constant.</summary>
    public required double? SpearmanCorrelation { get; init; }

    /// <summary>Size of the top sets compared by <see cref="TopHitRate"/>: 5, or fewer configurations.</summary>
    public required int TopCount { get; init; }

    /// <summary>Fraction of the truly best <see cref="TopCount"/> configurations that are among the predicted best.</summary>
    public required double TopHitRate { get; init; }

    /// <summary>Every configuration's prediction, in configuration order.</summary>
    public required IReadOnlyList<ConfigurationPrediction> Predictions { get; init; }
}
