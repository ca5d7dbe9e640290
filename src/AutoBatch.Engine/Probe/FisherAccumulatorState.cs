namespace AutoBatch.Engine.Probe;

/// <summary>Serializable state of a <see cref="FisherAccumulator"/>.</summary>
public sealed record FisherAccumulatorState(long Iterations, long Measurements, long InvalidMeasurements, double ConditionSum, double EnergySum, double OtherConditionSum = 0);
