namespace AutoBatch.Controller.Policies;

/// <summary>What the closed loop predicts for one candidate batch size if the run holds it to the last epoch.</summary>
/// <param name="BatchSize">The candidate.</param>
/// <param name="CumulativeCondition">Predicted final C̄_K.</param>
/// <param name="CumulativeEnergy">Predicted final L_K.</param>
/// <param name="Error">Final test error the map's surface gives that point.</param>
/// <param name="Distance">Distance of that point to the map's optimum region (normalised log units; 0 inside).</param>
/// <param name="Seconds">
/// Predicted wall seconds of training steps to the end (remaining samples x the run's own seconds per sample at this
/// batch size, <see cref="ThroughputModel"/>); null when the run has measured no epoch yet.
/// </param>
public sealed record CandidatePrediction(int BatchSize, double CumulativeCondition, double CumulativeEnergy, double Error, double Distance, double? Seconds = null);
