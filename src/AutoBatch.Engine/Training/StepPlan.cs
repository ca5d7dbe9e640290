namespace AutoBatch.Engine.Training;

/// <summary>Batch size and learning rate of the next step.</summary>
/// <param name="BatchSize">Samples in the next mini-batch (the last batch of an epoch may get fewer).</param>
/// <param name="LearningRate">α for the next step.</param>
public sealed record StepPlan(int BatchSize, double LearningRate);
