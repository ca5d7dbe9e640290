namespace AutoBatch.Controller.Policies;

/// <summary>The seconds per training sample a <see cref="ThroughputModel"/> gives a batch size, and on what basis.</summary>
/// <param name="BatchSize">The batch size.</param>
/// <param name="SecondsPerSample">Predicted wall seconds of training steps (probe included) per sample.</param>
/// <param name="Basis">Measured, fitted, or assumed equal to the one measured batch size.</param>
public sealed record ThroughputEstimate(int BatchSize, double SecondsPerSample, ThroughputBasis Basis);
