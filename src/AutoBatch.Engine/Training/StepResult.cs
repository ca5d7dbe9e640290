using AutoBatch.Engine.Probe;

namespace AutoBatch.Engine.Training;

/// <summary>Outcome of one training step.</summary>
/// <param name="Loss">Mean cross-entropy of the batch before the update.</param>
/// <param name="Correct">Correctly classified samples of the batch before the update.</param>
/// <param name="Finite">False when the loss or a gradient was non-finite; the update was then skipped.</param>
/// <param name="Seconds">Native wall time of the step, probe included.</param>
/// <param name="Probe">The probe reading when the step was probed synchronously, otherwise null.</param>
public sealed record StepResult(double Loss, long Correct, bool Finite, double Seconds, ProbeReading? Probe)
{
    /// <summary>
    /// The step launched a background probe (<see cref="ProbeSettings.Background"/>); its reading comes from
    /// <see cref="Network.CollectProbe"/>.
    /// </summary>
    public bool ProbePending { get; init; }
}
