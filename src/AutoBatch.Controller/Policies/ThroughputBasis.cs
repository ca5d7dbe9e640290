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
    /// Only one batch size measured and this one not calibrated: its seconds per sample, the same for every batch size
    /// (no gain or loss of speed assumed).
    /// </summary>
    Nearest = 2,

    /// <summary>
    /// Calibrated: with one batch size measured, a few training steps timed at this batch size and at the measured one
    /// (<see cref="Engine.Training.StepCalibration"/>); the measured figure scaled by their ratio.
    /// </summary>
    Calibrated = 3,
}
