namespace AutoBatch.Controller.Policies;

/// <summary>Where a <see cref="ThroughputEstimate"/> comes from.</summary>
public enum ThroughputBasis
{
    /// <summary>Measured: the run has trained whole epochs at this batch size.</summary>
    Measured = 0,

    /// <summary>
    /// Fitted: the step-time model t(B) = a·B + b (seconds per sample a + b/B) through the batch sizes measured so far,
    /// least squares when there are more than two.
    /// </summary>
    Fitted = 1,

    /// <summary>
    /// Only one batch size measured: its seconds per sample, the same for every batch size (no gain or loss of speed
    /// assumed until a second one is measured).
    /// </summary>
    Nearest = 2,
}
