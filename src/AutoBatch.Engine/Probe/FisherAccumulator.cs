namespace AutoBatch.Engine.Probe;

/// <summary>
/// The cumulative measures (docs/DESIGN.md, 'The measures'), and the one place they are computed: C̄_K, the mean of all
/// c_k measured since the start of training, and L_K = (iterations / measurements) · Σ l_k, so that L_K does not depend
/// on the measurement interval (reference code: <c>cumsum(l_k) / sampling_ratio</c>). Mutable; its state round-trips
/// through <see cref="Snapshot"/> for checkpoints.
/// </summary>
/// <remarks>
/// A training run adds its steps and readings one by one (<see cref="AddIteration"/>, <see cref="AddReading"/>). The
/// closed loop's prediction and the map replay know an epoch only by its means; they start from the measures a policy
/// sees (<see cref="StartingAt"/>) and add whole epochs (<see cref="AddEpoch"/>): C̄ ← (C̄·M + c̄·m) / (M + m) and
/// L ← L + ΔL, the epoch's share of L_K (n·l̄ when its n steps are represented by its mean l̄). What was added that way
/// is held as means, and readings added after it rescale their Σ l_k by their own iterations per measurement. For a run
/// at one batch size the two ways agree; when the iterations per measurement change between epochs (another batch
/// size), a whole epoch is weighted by its own iterations, while a run's readings share the run's ratio.
/// </remarks>
public sealed class FisherAccumulator
{
    // The valid readings added one by one since the start (or since the last whole epoch), over _readingIterations
    // steps. Their rank and B_simple sums are neither exposed nor checkpointed.
    private ReadingSums _readings = new();
    private long _readingIterations;

    // What came before those readings, as means: the start point and the whole epochs added since.
    private long _earlierIterations;
    private long _earlierMeasurements;
    private double _earlierCondition;
    private double _earlierOtherCondition;
    private double _earlierEnergy;

    /// <summary>Steps taken since the start of training.</summary>
    public long Iterations => _earlierIterations + _readingIterations;

    /// <summary>Valid measurements since the start of training.</summary>
    public long Measurements => _earlierMeasurements + _readings.Count;

    /// <summary>Probes whose F̃ was zero or non-finite (not counted in the measures).</summary>
    public long InvalidMeasurements { get; private set; }

    /// <summary>C̄_K (0 before the first valid measurement).</summary>
    public double CumulativeCondition => Mean(_earlierCondition, _readings.ConditionSum);

    /// <summary>
    /// C̄_K under the other rank rule (<see cref="ProbeReading.OtherRule"/>), when every reading carried it; 0 before the
    /// first valid measurement.
    /// </summary>
    public double OtherCumulativeCondition => Mean(_earlierOtherCondition, _readings.OtherConditionSum);

    /// <summary>L_K (0 before the first valid measurement).</summary>
    public double CumulativeEnergy =>
        _earlierEnergy + (_readings.Count == 0 ? 0 : _readings.EnergySum * ((double)_readingIterations / _readings.Count));

    /// <summary>
    /// An accumulator that starts from measures known as a policy sees them: <paramref name="iterations"/> steps,
    /// <paramref name="measurements"/> valid measurements, C̄_K = <paramref name="cumulativeCondition"/> and L_K =
    /// <paramref name="cumulativeEnergy"/> (and C̄_K under the other rank rule, <paramref name="otherCumulativeCondition"/>).
    /// </summary>
    public static FisherAccumulator StartingAt(
        long iterations, long measurements, double cumulativeCondition, double cumulativeEnergy, double otherCumulativeCondition = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(iterations);
        ArgumentOutOfRangeException.ThrowIfNegative(measurements);
        return new FisherAccumulator
        {
            _earlierIterations = iterations,
            _earlierMeasurements = measurements,
            _earlierCondition = cumulativeCondition,
            _earlierOtherCondition = otherCumulativeCondition,
            _earlierEnergy = cumulativeEnergy,
        };
    }

    /// <summary>Counts one training step.</summary>
    public void AddIteration() => _readingIterations++;

    /// <summary>Adds a probe reading taken at the current step.</summary>
    public void AddReading(ProbeReading reading)
    {
        ArgumentNullException.ThrowIfNull(reading);
        if (!_readings.Add(reading))
        {
            InvalidMeasurements++;
        }
    }

    /// <summary>
    /// Adds a whole epoch known by its means: <paramref name="iterations"/> steps and <paramref name="measurements"/>
    /// valid measurements whose mean c_k is <paramref name="epochCondition"/> (<paramref name="otherEpochCondition"/>
    /// under the other rank rule), and the epoch's share of L_K, <paramref name="energyIncrement"/> (n · l̄ for an epoch
    /// of n steps whose mean l_k is l̄). An epoch without measurements leaves C̄_K as it is.
    /// </summary>
    public void AddEpoch(long iterations, long measurements, double epochCondition, double energyIncrement, double otherEpochCondition = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(iterations);
        ArgumentOutOfRangeException.ThrowIfNegative(measurements);
        long before = Measurements, after = before + measurements;
        double condition = CumulativeCondition, other = OtherCumulativeCondition;
        if (measurements > 0)
        {
            condition = (condition * before + epochCondition * measurements) / after;
            other = (other * before + otherEpochCondition * measurements) / after;
        }

        _earlierEnergy = CumulativeEnergy + energyIncrement;
        _earlierIterations = Iterations + iterations;
        _earlierMeasurements = after;
        _earlierCondition = condition;
        _earlierOtherCondition = other;
        _readings = new ReadingSums();
        _readingIterations = 0;
    }

    /// <summary>The state, for checkpoints.</summary>
    public FisherAccumulatorState Snapshot() => new(
        Iterations,
        Measurements,
        InvalidMeasurements,
        _readings.ConditionSum,
        _readings.EnergySum,
        _readings.OtherConditionSum,
        _earlierIterations,
        _earlierMeasurements,
        _earlierCondition,
        _earlierEnergy,
        _earlierOtherCondition);

    /// <summary>Restores a state taken by <see cref="Snapshot"/>.</summary>
    /// <exception cref="InvalidDataException">The state's counts are inconsistent.</exception>
    public static FisherAccumulator Restore(FisherAccumulatorState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        long readingIterations = state.Iterations - state.EarlierIterations, readings = state.Measurements - state.EarlierMeasurements;
        if (readingIterations < 0 || readings < 0 || state.EarlierIterations < 0 || state.EarlierMeasurements < 0 || state.InvalidMeasurements < 0)
        {
            throw new InvalidDataException(
                $"The checkpoint's measure counts are inconsistent ({state.Iterations} iterations, {state.Measurements} measurements, of which earlier {state.EarlierIterations} and {state.EarlierMeasurements}).");
        }

        return new FisherAccumulator
        {
            _readings = ReadingSums.Restore(readings, state.ConditionSum, state.EnergySum, 0, 0, state.OtherConditionSum, 0),
            _readingIterations = readingIterations,
            _earlierIterations = state.EarlierIterations,
            _earlierMeasurements = state.EarlierMeasurements,
            _earlierCondition = state.EarlierConditionMean,
            _earlierEnergy = state.EarlierEnergy,
            _earlierOtherCondition = state.EarlierOtherConditionMean,
            InvalidMeasurements = state.InvalidMeasurements,
        };
    }

    // The mean over the earlier measurements (held as their mean) and the readings since (held as their sum).
    private double Mean(double earlierMean, double readingSum) =>
        _readings.Count == 0 ? earlierMean : (earlierMean * _earlierMeasurements + readingSum) / Measurements;
}
