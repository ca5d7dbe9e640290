namespace AutoBatch.Controller.Policies;

/// <summary>
/// A calibration of one batch size against the batch size the run was measured at: a few training steps of each,
/// timed alike at the same moment (<see cref="Engine.Training.StepCalibration"/>). Only their ratio is used, so what
/// the timed steps leave out (the probe, augmentation) and the machine's load at that moment cancel out.
/// </summary>
/// <param name="BatchSize">The calibrated batch size.</param>
/// <param name="SecondsPerSample">Its timed seconds per sample.</param>
/// <param name="ReferenceBatchSize">The measured batch size timed beside it.</param>
/// <param name="ReferenceSecondsPerSample">The reference's timed seconds per sample.</param>
public sealed record ThroughputCalibration(int BatchSize, double SecondsPerSample, int ReferenceBatchSize, double ReferenceSecondsPerSample)
{
    /// <summary>Whether the figures can be used: batch sizes >= 1, finite positive times.</summary>
    public bool IsValid =>
        BatchSize >= 1 && ReferenceBatchSize >= 1 && SecondsPerSample > 0 && double.IsFinite(SecondsPerSample)
        && ReferenceSecondsPerSample > 0 && double.IsFinite(ReferenceSecondsPerSample);
}
