namespace AutoBatch.Engine.Probe;

/// <summary>
/// The cumulative measures (docs/DESIGN.md, 'The measures'): C̄_K, the mean of all c_k measured since the start of
/// training, and L_K = (iterations / measurements) · Σ l_k, so that L_K does not depend on the measurement interval
/// (reference code: <c>cumsum(l_k) / sampling_ratio</c>). Mutable; its state round-trips through
/// <see cref="Snapshot"/> for checkpoints.
/// </summary>
public sealed class FisherAccumulator
{
    private double _conditionSum;
    private double _energySum;
    private double _otherConditionSum;

    /// <summary>Steps taken since the start of training.</summary>
    public long Iterations { get; private set; }

    /// <summary>Valid measurements since the start of training.</summary>
    public long Measurements { get; private set; }

    /// <summary>Probes whose F̃ was zero or non-finite (not counted in the measures).</summary>
    public long InvalidMeasurements { get; private set; }

    /// <summary>C̄_K (0 before the first valid measurement).</summary>
    public double ConditionMean => Measurements == 0 ? 0 : _conditionSum / Measurements;

    /// <summary>
    /// C̄_K under the other rank rule (<see cref="ProbeReading.OtherRule"/>), when every reading carried it; 0 before the
    /// first valid measurement.
    /// </summary>
    public double OtherConditionMean => Measurements == 0 ? 0 : _otherConditionSum / Measurements;

    /// <summary>L_K (0 before the first valid measurement).</summary>
    public double Energy => Measurements == 0 ? 0 : _energySum * ((double)Iterations / Measurements);

    /// <summary>Counts one training step.</summary>
    public void AddIteration() => Iterations++;

    /// <summary>Adds a probe reading taken at the current step.</summary>
    public void AddReading(ProbeReading reading)
    {
        ArgumentNullException.ThrowIfNull(reading);
        if (reading.Status != ProbeStatus.Ok)
        {
            InvalidMeasurements++;
            return;
        }

        Measurements++;
        _conditionSum += reading.Condition;
        _energySum += reading.Energy;
        _otherConditionSum += reading.OtherRule?.Condition ?? 0;
    }

    /// <summary>The state, for checkpoints.</summary>
    public FisherAccumulatorState Snapshot() => new(Iterations, Measurements, InvalidMeasurements, _conditionSum, _energySum, _otherConditionSum);

    /// <summary>Restores a state taken by <see cref="Snapshot"/>.</summary>
    public static FisherAccumulator Restore(FisherAccumulatorState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        return new FisherAccumulator
        {
            Iterations = state.Iterations,
            Measurements = state.Measurements,
            InvalidMeasurements = state.InvalidMeasurements,
            _conditionSum = state.ConditionSum,
            _energySum = state.EnergySum,
            _otherConditionSum = state.OtherConditionSum,
        };
    }
}
