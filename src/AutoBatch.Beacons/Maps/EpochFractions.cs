namespace AutoBatch.Beacons.Maps;

/// <summary>
/// The fractions of training at which a beacon map records the optimum region and evaluates early prediction, and
/// the mapping from a fraction to an epoch.
/// </summary>
public static class EpochFractions
{
    /// <summary>
    /// Fractions of the region trajectory: the paper's "travelling history" points (Fig. 5 caption: 5, 20, 40, 60,
    /// 80 and 100% of the epochs) plus 10%, where early prediction is first evaluated.
    /// </summary>
    public static IReadOnlyList<double> Trajectory { get; } = [0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1.0];

    /// <summary>
    /// Fractions at which early prediction is evaluated: "the proposed measures are stable ... even during early
    /// training epochs, which means that they can be used to predict the performance of new configurations within
    /// a few epochs" (paper, Sec. 1 and 3.1, Fig. 1c).
    /// </summary>
    public static IReadOnlyList<double> Prediction { get; } = [0.1, 0.2, 0.4];

    /// <summary>
    /// The 1-based epoch at which <paramref name="fraction"/> of <paramref name="epochs"/> is complete: the first
    /// epoch K with K / epochs ≥ fraction (at least 1). With 10 epochs, 5% and 10% are epoch 1 and 40% is epoch 4.
    /// </summary>
    public static int ToEpoch(double fraction, int epochs)
    {
        if (!(fraction > 0 && fraction <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(fraction), fraction, "The epoch fraction must be in (0, 1].");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(epochs, 1);

        // The tolerance keeps 0.6 * 10 = 6.000000000000001 at epoch 6, as StepDecaySchedule does for milestones.
        return Math.Clamp((int)Math.Ceiling(fraction * epochs - 1e-9), 1, epochs);
    }
}
