using System.Text.Json.Serialization;

namespace AutoBatch.Controller.Policies;

/// <summary>
/// What a run measured of its own speed at one batch size: the training samples it processed in whole epochs at that
/// batch size and the wall seconds those epochs' steps took (probe included, evaluation excluded).
/// </summary>
/// <param name="BatchSize">The batch size.</param>
/// <param name="Samples">Training samples processed in epochs that used only this batch size.</param>
/// <param name="Seconds">Wall seconds of those epochs' steps (<see cref="Engine.Training.EpochRecord.TrainSeconds"/>).</param>
public sealed record ThroughputSample(int BatchSize, long Samples, double Seconds)
{
    /// <summary>Measured seconds per training sample (derived; not stored in the checkpoint).</summary>
    [JsonIgnore]
    public double SecondsPerSample => Seconds / Samples;
}
