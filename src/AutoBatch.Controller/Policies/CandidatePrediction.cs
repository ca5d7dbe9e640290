namespace AutoBatch.Controller.Policies;

/// <summary>What the closed loop predicts for one candidate batch size at the next epoch boundary.</summary>
/// <param name="BatchSize">The candidate.</param>
/// <param name="Condition">Predicted C̄_K after the coming epoch.</param>
/// <param name="Energy">Predicted L_K after the coming epoch.</param>
/// <param name="Error">Final test error the map's surface gives that point.</param>
/// <param name="Distance">Distance of that point to the map's optimum region (normalised log units; 0 inside).</param>
public sealed record CandidatePrediction(int BatchSize, double Condition, double Energy, double Error, double Distance);
