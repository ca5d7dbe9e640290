using AutoBatch.Engine.Training;

namespace AutoBatch.Controller.Policies;

/// <summary>The <see cref="PolicyPlanner"/>'s state, stored in checkpoints.</summary>
/// <param name="Policy">Name of the policy (checked on restore).</param>
/// <param name="BatchSize">Batch size in use.</param>
/// <param name="EpochsSinceChange">Completed epochs since the last change.</param>
/// <param name="LearningRateScale">Product of the α cuts made after divergences (1 = none).</param>
/// <param name="Changes">Batch-size changes so far.</param>
/// <param name="LastEpoch">The last completed epoch's record, which epoch-level policies decide on.</param>
/// <param name="LastChange">The last batch-size change (hysteresis), null when none.</param>
/// <param name="Version">
/// Format: 1 (absent in the JSON) before <paramref name="LastChange"/> was kept, 2 before <paramref name="Throughput"/>
/// was, 3 before <paramref name="Calibrations"/> were, <see cref="CurrentVersion"/> since.
/// </param>
/// <param name="Throughput">The run's measured seconds per sample by batch size (<see cref="ThroughputModel"/>), null before format 3.</param>
/// <param name="Calibrations">The run's throughput calibrations, null before format 4.</param>
/// <param name="CalibrationSeconds">Seconds of calibration inside the epoch in progress (not part of its speed).</param>
public sealed record PolicyPlannerState(
    string Policy, int BatchSize, int EpochsSinceChange, double LearningRateScale, int Changes, EpochRecord? LastEpoch,
    BatchChange? LastChange = null, int Version = 1, IReadOnlyList<ThroughputSample>? Throughput = null,
    IReadOnlyList<ThroughputCalibration>? Calibrations = null, double CalibrationSeconds = 0)
{
    /// <summary>The format written now.</summary>
    public const int CurrentVersion = 4;
}
