using AutoBatch.Engine.Training;

namespace AutoBatch.Engine.Checkpoints;

/// <summary>What a checkpoint holds besides the network's tensors (which <see cref="CheckpointFile.Load"/> restores).</summary>
/// <param name="Trainer">The trainer's state (epoch, position in the permutation, generators, measures).</param>
/// <param name="Planner">The schedule's or controller's own state as JSON, or null when it has none.</param>
/// <param name="Metadata">Other string entries the caller stored (e.g. the command that started the run).</param>
public sealed record Checkpoint(TrainerState Trainer, string? Planner, IReadOnlyDictionary<string, string> Metadata);
