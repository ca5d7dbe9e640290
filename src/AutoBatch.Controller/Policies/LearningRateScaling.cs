namespace AutoBatch.Controller.Policies;

/// <summary>The factor a <see cref="LearningRateRule"/> applies to the scheduled α.</summary>
public static class LearningRateScaling
{
    /// <summary>Factor for batch size <paramref name="batchSize"/> when α was tuned for <paramref name="referenceBatchSize"/>.</summary>
    public static double Factor(LearningRateRule rule, int batchSize, int referenceBatchSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(referenceBatchSize, 1);
        double ratio = (double)batchSize / referenceBatchSize;
        return rule switch
        {
            LearningRateRule.Keep => 1,
            LearningRateRule.Linear => ratio,
            LearningRateRule.SquareRoot => Math.Sqrt(ratio),
            _ => throw new ArgumentOutOfRangeException(nameof(rule), rule, "Unknown learning-rate rule."),
        };
    }
}
