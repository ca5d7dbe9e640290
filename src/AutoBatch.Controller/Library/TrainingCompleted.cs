using AutoBatch.Controller.Runs;

namespace AutoBatch.Controller.Library;

/// <summary>The run ended (also in summary.json): the last event of <see cref="AutoBatchTrainer.TrainAsync"/>.</summary>
/// <param name="Summary">Final errors, iterations, batch-size changes, times.</param>
public sealed record TrainingCompleted(RunSummary Summary) : TrainingEvent;
