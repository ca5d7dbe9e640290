using AutoBatch.Engine.Training;

namespace AutoBatch.Controller.Library;

/// <summary>An epoch finished (also written to epochs.jsonl).</summary>
/// <param name="Record">Its record: errors, losses, C̄_K, L_K, batch size, times.</param>
/// <param name="DistanceToRegion">Distance of (C̄_K, L_K) to the map's optimum region, when there is a map.</param>
public sealed record EpochCompleted(EpochRecord Record, double? DistanceToRegion) : TrainingEvent;
