namespace AutoBatch.Engine.Training;

/// <summary>Training steps timed at one batch size by a calibration (<see cref="ICalibratingPlanner"/>).</summary>
/// <param name="BatchSize">The batch size asked for.</param>
/// <param name="StepSamples">Samples per timed step: the batch size, or the training set's size when that is smaller.</param>
/// <param name="Steps">Timed steps (after the untimed warm-up).</param>
/// <param name="Seconds">Wall seconds of the timed steps, batch assembly included.</param>
public sealed record BatchTiming(int BatchSize, int StepSamples, int Steps, double Seconds)
{
    /// <summary>Seconds per training sample.</summary>
    public double SecondsPerSample => Seconds / ((double)Steps * StepSamples);
}
