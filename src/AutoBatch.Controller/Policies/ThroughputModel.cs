using AutoBatch.Engine.Training;

namespace AutoBatch.Controller.Policies;

/// <summary>
/// A run's own speed by batch size, learned from its completed epochs on the machine it runs on: the seconds per
/// training sample (probe included) of every batch size it has trained whole epochs at, and a step-time model for the
/// others. The <see cref="PolicyPlanner"/> keeps it in its checkpointed state, so that a resumed run decides on the
/// same figures it decided on before it was stopped; it is never filled from a map, whose times were measured on
/// another machine (or under another load).
/// </summary>
/// <remarks>
/// The model for a batch size not measured yet: one step costs a fixed overhead plus a cost per sample,
/// t(B) = a·B + b, so seconds per sample s(B) = a + b/B. Measured on an AMD EPYC (2 cores, 1 thread per run, two runs
/// at a time; the Fashion-MNIST MLP's single-batch-size epochs of results/compare-fashion-mnist-mlp-5seeds, median per
/// batch size): through B = 32 and 64 alone it predicts B = 16, 128, 256 and 512 within 3% (docs/CONTROLLER.md).
/// A run only ever moves one doubling away from a batch size it has measured, so the model interpolates or
/// extrapolates by one step. With one batch size measured, a and b cannot be told apart; a batch size the run is about
/// to consider is then calibrated (<see cref="ThroughputCalibration"/>: a few steps timed at it and at the measured
/// one, <see cref="ThroughputBasis.Calibrated"/>), and one that is not is given the measured figure
/// (<see cref="ThroughputBasis.Nearest"/>: no speed difference assumed).
/// </remarks>
public sealed class ThroughputModel
{
    private readonly ThroughputSample[] _samples;
    private readonly ThroughputCalibration[] _calibrations;

    /// <summary>Creates the model from measured figures (at most one per batch size) and calibrations (at most one per pair).</summary>
    /// <exception cref="ArgumentException">
    /// Two figures for one batch size, a figure with no samples or no time, or an invalid or repeated calibration.
    /// </exception>
    public ThroughputModel(IEnumerable<ThroughputSample> samples, IEnumerable<ThroughputCalibration>? calibrations = null)
    {
        ArgumentNullException.ThrowIfNull(samples);
        _calibrations = calibrations?.ToArray() ?? [];
        if (_calibrations.Any(c => !c.IsValid)
            || _calibrations.Select(c => (c.BatchSize, c.ReferenceBatchSize)).Distinct().Count() != _calibrations.Length)
        {
            throw new ArgumentException("Every calibration needs batch sizes >= 1 and finite times > 0, at most one per batch size and reference.", nameof(calibrations));
        }

        _samples = samples.OrderBy(s => s.BatchSize).ToArray();
        if (_samples.Any(s => s.BatchSize < 1 || s.Samples < 1 || !(s.Seconds > 0) || !double.IsFinite(s.Seconds)))
        {
            throw new ArgumentException("Every throughput figure needs a batch size >= 1, samples >= 1 and finite seconds > 0.", nameof(samples));
        }

        if (_samples.Select(s => s.BatchSize).Distinct().Count() != _samples.Length)
        {
            throw new ArgumentException("At most one throughput figure per batch size.", nameof(samples));
        }
    }

    /// <summary>No measurement yet.</summary>
    public static ThroughputModel Empty { get; } = new([]);

    /// <summary>The measured figures, by batch size.</summary>
    public IReadOnlyList<ThroughputSample> Samples => _samples;

    /// <summary>The calibrations, in the order they were made.</summary>
    public IReadOnlyList<ThroughputCalibration> Calibrations => _calibrations;

    /// <summary>Whether <paramref name="batchSize"/> was calibrated against <paramref name="reference"/>.</summary>
    public bool IsCalibrated(int batchSize, int reference) =>
        _calibrations.Any(c => c.BatchSize == batchSize && c.ReferenceBatchSize == reference);

    /// <summary>
    /// The model with the calibrations of <paramref name="timings"/> against the timing of <paramref name="reference"/>
    /// among them (which must be there); a batch size already calibrated against it keeps its first figure.
    /// </summary>
    /// <exception cref="ArgumentException">The reference was not timed.</exception>
    public ThroughputModel WithCalibration(IReadOnlyList<BatchTiming> timings, int reference)
    {
        ArgumentNullException.ThrowIfNull(timings);
        BatchTiming basis = timings.FirstOrDefault(t => t.BatchSize == reference)
            ?? throw new ArgumentException($"The calibration did not time the reference batch size {reference}.", nameof(timings));
        IEnumerable<ThroughputCalibration> added = timings
            .Where(t => t.BatchSize != reference && !IsCalibrated(t.BatchSize, reference))
            .DistinctBy(t => t.BatchSize)
            .Select(t => new ThroughputCalibration(t.BatchSize, t.SecondsPerSample, reference, basis.SecondsPerSample));
        return new ThroughputModel(_samples, [.. _calibrations, .. added]);
    }

    /// <summary>
    /// The model with <paramref name="record"/>'s epoch added when all of its steps used one batch size (the record's
    /// iterations are those of its samples at its last batch size) and it did not diverge; otherwise this model.
    /// </summary>
    public ThroughputModel With(EpochRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        long samples = (long)Math.Round(record.MeanBatchSize * record.Iterations);
        bool oneBatchSize = record.BatchSize >= 1 && samples >= 1 && record.Iterations == (samples + record.BatchSize - 1) / record.BatchSize;
        if (record.Diverged || !oneBatchSize || !(record.TrainSeconds > 0) || !double.IsFinite(record.TrainSeconds))
        {
            return this;
        }

        ThroughputSample? old = _samples.SingleOrDefault(s => s.BatchSize == record.BatchSize);
        ThroughputSample added = old is null
            ? new ThroughputSample(record.BatchSize, samples, record.TrainSeconds)
            : old with { Samples = old.Samples + samples, Seconds = old.Seconds + record.TrainSeconds };
        return new ThroughputModel(_samples.Where(s => s.BatchSize != record.BatchSize).Append(added), _calibrations);
    }

    /// <summary>The seconds per sample of <paramref name="batchSize"/>, or null before any epoch was measured.</summary>
    public ThroughputEstimate? Estimate(int batchSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        if (_samples.Length == 0)
        {
            return null;
        }

        if (_samples.SingleOrDefault(s => s.BatchSize == batchSize) is { } measured)
        {
            return new ThroughputEstimate(batchSize, measured.SecondsPerSample, ThroughputBasis.Measured);
        }

        ThroughputSample nearest = _samples.MinBy(s => Math.Abs(Math.Log2((double)s.BatchSize / batchSize)))!;
        if (_samples.Length == 1)
        {
            return _calibrations.LastOrDefault(c => c.BatchSize == batchSize && c.ReferenceBatchSize == nearest.BatchSize) is { } c
                ? new ThroughputEstimate(batchSize, nearest.SecondsPerSample * c.SecondsPerSample / c.ReferenceSecondsPerSample, ThroughputBasis.Calibrated)
                : new ThroughputEstimate(batchSize, nearest.SecondsPerSample, ThroughputBasis.Nearest);
        }

        // Least squares of s = a + b·x over x = 1/B (exact through two points).
        double meanX = _samples.Average(s => 1.0 / s.BatchSize), meanY = _samples.Average(s => s.SecondsPerSample);
        double sxy = _samples.Sum(s => (1.0 / s.BatchSize - meanX) * (s.SecondsPerSample - meanY));
        double sxx = _samples.Sum(s => (1.0 / s.BatchSize - meanX) * (1.0 / s.BatchSize - meanX));
        double b = sxy / sxx, a = meanY - b * meanX;
        double fitted = a + b / batchSize;
        // A fit that gives no positive time (noise between two close figures) says nothing; keep the nearest figure.
        return fitted > 0 && double.IsFinite(fitted)
            ? new ThroughputEstimate(batchSize, fitted, ThroughputBasis.Fitted)
            : new ThroughputEstimate(batchSize, nearest.SecondsPerSample, ThroughputBasis.Nearest);
    }
}
