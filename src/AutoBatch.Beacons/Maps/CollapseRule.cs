using AutoBatch.Engine.Data;

namespace AutoBatch.Beacons.Maps;

/// <summary>
/// Silent divergence: a run whose loss never became NaN but whose network ended up predicting no better than chance.
/// On Fashion-MNIST the MLP does this at large α/B (e.g. B = 16, α = 0.05): the test error jumps to 0.90 in an epoch or
/// two and stays there, while the probe keeps measuring finite C̄_K and L_K. Such a run carries no information about
/// where in the (C̄_K, L_K) plane training works, yet its 0.90 would stretch the surface's range and with it the
/// optimum region's threshold (min + range / 30), so it is treated like a diverged run.
/// </summary>
/// <remarks>
/// A run is collapsed when it did not diverge and its final test error is ≥ 1 − 1/classes − <see cref="Margin"/>
/// (0.85 for 10 classes, 0.94 for CIFAR-100). Chance level is 1 − 1/classes on a balanced test set; the margin takes in
/// a network that has learned a class or so by accident (0.80–0.85 on 10 classes would still be "collapsed" in
/// spirit, but also close to a badly tuned run that is still learning, so the rule stays conservative). Only the final
/// epoch counts: a run that recovers from a bad epoch is not collapsed.
/// </remarks>
public static class CollapseRule
{
    /// <summary>Distance below chance level that still counts as chance (error fraction).</summary>
    public const double Margin = 0.05;

    /// <summary>Final test error at or above which a run of a <paramref name="classes"/>-class problem is collapsed.</summary>
    public static double Threshold(int classes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 2);
        return 1.0 - 1.0 / classes - Margin;
    }

    /// <summary>The threshold for <paramref name="data"/>'s number of classes.</summary>
    public static double Threshold(DataSetKind data) => Threshold(data.ClassCount());

    /// <summary>True when <paramref name="run"/> finished without diverging and its final test error is ≥ <paramref name="threshold"/>.</summary>
    public static bool IsCollapsed(BeaconRun run, double threshold)
    {
        ArgumentNullException.ThrowIfNull(run);
        return !run.Diverged && run.FinalTestError >= threshold;
    }
}
