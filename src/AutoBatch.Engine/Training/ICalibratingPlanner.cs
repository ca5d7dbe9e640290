namespace AutoBatch.Engine.Training;

/// <summary>
/// A planner that has batch sizes timed on this machine before it plans a step (the closed loop's throughput
/// calibration, for batch sizes the run has not trained at yet). The trainer times them by real training steps
/// (<see cref="StepCalibration"/>) from a saved state that it restores after, so training goes on exactly as if nothing
/// had been timed; the time spent counts in the epoch's <see cref="EpochRecord.TrainSeconds"/>.
/// </summary>
public interface ICalibratingPlanner : IStepPlanner
{
    /// <summary>The batch sizes to time before the step of <paramref name="progress"/>; empty for none.</summary>
    IReadOnlyList<int> CalibrationWanted(TrainingProgress progress);

    /// <summary>Receives the timings of the batch sizes asked for and the wall seconds the calibration took in all.</summary>
    void Calibrated(TrainingProgress progress, IReadOnlyList<BatchTiming> timings, double seconds);
}
