using System.Globalization;

namespace AutoBatch.Controller.Policies;

/// <summary>One batch size throughout (the paper's beacon runs and fixed baselines).</summary>
public sealed class FixedPolicy : IBatchPolicy
{
    /// <summary>Creates the policy.</summary>
    public FixedPolicy(int batchSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        BatchSize = batchSize;
    }

    /// <summary>The batch size.</summary>
    public int BatchSize { get; }

    /// <inheritdoc/>
    public string Name => string.Create(CultureInfo.InvariantCulture, $"s{BatchSize}");

    /// <inheritdoc/>
    public BatchDecision Decide(PolicyContext context) => BatchDecision.Hold(BatchSize, "fixed batch size");
}
