namespace AutoBatch.Controller.Library;

/// <summary>Something that happened during <see cref="AutoBatchTrainer.TrainAsync"/>: an epoch, a decision, the end.</summary>
public abstract record TrainingEvent;
