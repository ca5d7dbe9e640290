namespace AutoBatch.Engine.Training;

/// <summary>Loss and error of a model on a data set.</summary>
/// <param name="Samples">Number of samples evaluated.</param>
/// <param name="MeanLoss">Mean cross-entropy.</param>
/// <param name="Correct">Correctly classified samples.</param>
public sealed record Evaluation(long Samples, double MeanLoss, long Correct)
{
    /// <summary>Fraction misclassified, in [0, 1].</summary>
    public double Error => Samples == 0 ? 0 : 1.0 - (double)Correct / Samples;
}
