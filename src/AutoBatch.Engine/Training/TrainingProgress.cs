namespace AutoBatch.Engine.Training;

/// <summary>Where training stands before a step.</summary>
/// <param name="Epoch">0-based epoch.</param>
/// <param name="Epochs">Total epochs of the run.</param>
/// <param name="IterationInEpoch">1-based index of the step about to run within its epoch.</param>
/// <param name="Iteration">Steps completed since the start of training.</param>
/// <param name="SamplesSeenInEpoch">Samples of the current epoch already used.</param>
/// <param name="EpochSize">Training samples per epoch.</param>
/// <param name="CumulativeCondition">C̄_K so far (0 before the first measurement).</param>
/// <param name="CumulativeEnergy">L_K so far (0 before the first measurement).</param>
public sealed record TrainingProgress(
    int Epoch, int Epochs, int IterationInEpoch, long Iteration, int SamplesSeenInEpoch, int EpochSize, double CumulativeCondition, double CumulativeEnergy)
{
    /// <summary>Valid probe measurements since the start of training (the weight of C̄_K in a running mean).</summary>
    public long Measurements { get; init; }

    /// <summary>Fraction of all training completed, in [0, 1].</summary>
    public double Fraction => (Epoch + (double)SamplesSeenInEpoch / EpochSize) / Epochs;
}
