namespace AutoBatch.Beacons.Maps;

/// <summary>A leave-one-configuration-out prediction of a configuration's final test error.</summary>
/// <param name="Label">Configuration label.</param>
/// <param name="Predicted">Final test error predicted from the other configurations (fraction).</param>
/// <param name="Actual">Mean final test error over the configuration's finished seeds (fraction).</param>
public sealed record ConfigurationPrediction(string Label, double Predicted, double Actual);
