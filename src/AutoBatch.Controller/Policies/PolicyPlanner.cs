using System.Globalization;
using System.Text.Json;
using AutoBatch.Engine.Training;

namespace AutoBatch.Controller.Policies;

/// <summary>
/// The applier: asks an <see cref="IBatchPolicy"/> before every step, applies its batch size and the learning rate
/// (the step-decay schedule x the <see cref="LearningRateRule"/> factor x any divergence cut), logs every evaluated
/// decision and every change, and keeps the little state a policy needs between calls (the batch size in use, the
/// dwell counter, the last epoch's record, the run's throughput) so that the policy itself stays pure. For an
/// <see cref="ITimedPolicy"/> it has the trainer calibrate the batch sizes a decision compares while the run has
/// measured only one (<see cref="CalibrationWanted"/>).
/// </summary>
public sealed class PolicyPlanner : ICalibratingPlanner
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly StepDecaySchedule _schedule;
    private readonly Action<DecisionRecord>? _onDecision;
    private EpochRecord? _lastEpoch;
    private double _calibrationSeconds;

    /// <summary>Creates the planner.</summary>
    /// <param name="policy">The policy.</param>
    /// <param name="schedule">The step-decay schedule (base α and milestones).</param>
    /// <param name="initialBatchSize">Batch size of the first step, and the reference of the learning-rate rule.</param>
    /// <param name="rule">How α follows the batch size.</param>
    /// <param name="probeInterval">Probe interval of the run (0 = none), for policies that predict measurements.</param>
    /// <param name="onDecision">Receives every logged decision.</param>
    public PolicyPlanner(
        IBatchPolicy policy, StepDecaySchedule schedule, int initialBatchSize, LearningRateRule rule, int probeInterval, Action<DecisionRecord>? onDecision = null)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(schedule);
        ArgumentOutOfRangeException.ThrowIfLessThan(initialBatchSize, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(probeInterval);
        Policy = policy;
        _schedule = schedule;
        ReferenceBatchSize = initialBatchSize;
        BatchSize = initialBatchSize;
        Rule = rule;
        ProbeInterval = probeInterval;
        _onDecision = onDecision;
    }

    /// <summary>The policy.</summary>
    public IBatchPolicy Policy { get; }

    /// <summary>The batch size α was chosen for.</summary>
    public int ReferenceBatchSize { get; }

    /// <summary>The learning-rate rule.</summary>
    public LearningRateRule Rule { get; }

    /// <summary>Probe interval of the run.</summary>
    public int ProbeInterval { get; }

    /// <summary>Batch size in use.</summary>
    public int BatchSize { get; private set; }

    /// <summary>Completed epochs since the last change.</summary>
    public int EpochsSinceChange { get; private set; }

    /// <summary>Product of the α cuts after divergences.</summary>
    public double LearningRateScale { get; private set; } = 1;

    /// <summary>Batch-size changes so far.</summary>
    public int Changes { get; private set; }

    /// <summary>The last batch-size change (null before the first).</summary>
    public BatchChange? LastChange { get; private set; }

    /// <summary>
    /// The run's seconds per sample by batch size, from its completed epochs that used one batch size (checkpointed:
    /// a resumed run decides on the figures it had, not on a re-measurement).
    /// </summary>
    public ThroughputModel Throughput { get; private set; } = ThroughputModel.Empty;

    /// <summary>The learning rate a step in <paramref name="epoch"/> at <paramref name="batchSize"/> gets.</summary>
    public double LearningRateFor(int epoch, int batchSize) =>
        _schedule.LearningRateAt(epoch) * LearningRateScaling.Factor(Rule, batchSize, ReferenceBatchSize) * LearningRateScale;

    /// <inheritdoc/>
    public StepPlan Plan(TrainingProgress progress)
    {
        ArgumentNullException.ThrowIfNull(progress);
        PolicyContext context = ContextFor(progress);
        BatchDecision decision = Policy.Decide(context);
        if (decision.BatchSize < 1)
        {
            throw new InvalidOperationException($"Policy {Policy.Name} chose batch size {decision.BatchSize}; it must be >= 1.");
        }

        int from = BatchSize;
        if (decision.BatchSize != from)
        {
            BatchSize = decision.BatchSize;
            EpochsSinceChange = 0;
            Changes++;
            LastChange = new BatchChange(progress.Epoch, from, BatchSize, decision.Gain);
        }

        double lr = LearningRateFor(progress.Epoch, BatchSize);
        if (decision.Evaluated || decision.BatchSize != from)
        {
            _onDecision?.Invoke(new DecisionRecord
            {
                Kind = "decision",
                Policy = Policy.Name,
                Epoch = progress.Epoch + 1,
                IterationInEpoch = progress.IterationInEpoch,
                Iteration = progress.Iteration,
                Fraction = progress.Fraction,
                From = from,
                To = BatchSize,
                LearningRate = lr,
                CumulativeCondition = progress.CumulativeCondition,
                CumulativeEnergy = progress.CumulativeEnergy,
                Reason = decision.Reason,
                Inputs = decision.Inputs,
            });
        }

        return new StepPlan(BatchSize, lr);
    }

    /// <summary>Call after every completed epoch (before the next step is planned).</summary>
    public void EpochCompleted(EpochRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        _lastEpoch = record;
        // The epoch's training time includes the calibration made before its first step; its speed does not.
        Throughput = Throughput.With(record with { TrainSeconds = record.TrainSeconds - _calibrationSeconds });
        _calibrationSeconds = 0;
        EpochsSinceChange++;
    }

    /// <summary>
    /// At an epoch boundary of an <see cref="ITimedPolicy"/>'s run that has measured one batch size only: that batch
    /// size and the candidates of the coming decision that are neither measured nor calibrated against it yet (empty
    /// when there are none).
    /// </summary>
    public IReadOnlyList<int> CalibrationWanted(TrainingProgress progress)
    {
        ArgumentNullException.ThrowIfNull(progress);
        if (Policy is not ITimedPolicy timed || progress.IterationInEpoch != 1 || progress.Epoch == 0 || Throughput.Samples.Count != 1)
        {
            return [];
        }

        int reference = Throughput.Samples[0].BatchSize;
        int[] missing = [.. timed.Candidates(BatchSize).Where(b => b != reference && !Throughput.IsCalibrated(b, reference))];
        return missing.Length == 0 ? [] : [reference, .. missing];
    }

    /// <summary>Adds the timings to the throughput model, against the one measured batch size (the next decision logs them).</summary>
    public void Calibrated(TrainingProgress progress, IReadOnlyList<BatchTiming> timings, double seconds)
    {
        ArgumentNullException.ThrowIfNull(timings);
        if (Throughput.Samples.Count != 1)
        {
            throw new InvalidOperationException("A calibration needs exactly one measured batch size as its reference.");
        }

        Throughput = Throughput.WithCalibration(timings, Throughput.Samples[0].BatchSize);
        _calibrationSeconds += seconds;
    }

    /// <summary>
    /// After a divergence and a rollback: multiplies α by <paramref name="factor"/> for the rest of the run and logs
    /// it (on divergence the closed loop lowers α and continues from the last checkpoint).
    /// </summary>
    public void CutLearningRate(double factor, TrainingProgress at, string reason)
    {
        ArgumentNullException.ThrowIfNull(at);
        if (!(factor > 0 && factor < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(factor), factor, "The cut must be in (0, 1).");
        }

        LearningRateScale *= factor;
        _onDecision?.Invoke(new DecisionRecord
        {
            Kind = "divergence",
            Policy = Policy.Name,
            Epoch = at.Epoch + 1,
            IterationInEpoch = at.IterationInEpoch,
            Iteration = at.Iteration,
            Fraction = at.Fraction,
            From = BatchSize,
            To = BatchSize,
            LearningRate = LearningRateFor(at.Epoch, BatchSize),
            CumulativeCondition = at.CumulativeCondition,
            CumulativeEnergy = at.CumulativeEnergy,
            Reason = string.Create(CultureInfo.InvariantCulture, $"{reason}; α scale now {LearningRateScale:G4}"),
        });
    }

    /// <summary>The state as JSON, for checkpoints.</summary>
    public string SaveState() =>
        JsonSerializer.Serialize(
            new PolicyPlannerState(
                Policy.Name, BatchSize, EpochsSinceChange, LearningRateScale, Changes, _lastEpoch, LastChange, PolicyPlannerState.CurrentVersion,
                Throughput.Samples, Throughput.Calibrations, _calibrationSeconds),
            Json);

    /// <summary>Restores a state written by <see cref="SaveState"/> for the same policy.</summary>
    /// <exception cref="InvalidDataException">
    /// The state is malformed, belongs to another policy, or is of an older format without the last change while the
    /// policy needs it and the run had changed its batch size.
    /// </exception>
    public void RestoreState(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        PolicyPlannerState? state;
        try
        {
            state = JsonSerializer.Deserialize<PolicyPlannerState>(json, Json);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"The checkpoint's planner state is not valid: {e.Message}", e);
        }

        if (state is null || state.BatchSize < 1 || !(state.LearningRateScale > 0))
        {
            throw new InvalidDataException("The checkpoint's planner state is missing or has a batch size < 1 or an α scale <= 0.");
        }

        if (state.Policy != Policy.Name)
        {
            throw new InvalidDataException($"The checkpoint was written by policy {state.Policy}; this run uses {Policy.Name}.");
        }

        if (state.Version > PolicyPlannerState.CurrentVersion)
        {
            throw new InvalidDataException(
                $"The checkpoint's planner state has format version {state.Version}; this build reads up to {PolicyPlannerState.CurrentVersion}. Use a newer build.");
        }

        if (state.Version < 2 && state.Changes > 0 && Policy.UsesLastChange)
        {
            throw new InvalidDataException(
                $"The checkpoint's planner state is of format version {state.Version}, written before the last batch-size change was kept; "
                + $"{Policy.Name} needs it after a change (this run made {state.Changes}) to keep its hysteresis.");
        }

        ThroughputModel throughput;
        try
        {
            // Before format 3 nothing was measured: the figures start again from the next epoch (before format 4,
            // nothing was calibrated).
            throughput = new ThroughputModel(state.Throughput ?? [], state.Calibrations);
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"The checkpoint's planner state has invalid throughput figures: {e.Message}", e);
        }

        BatchSize = state.BatchSize;
        Throughput = throughput;
        EpochsSinceChange = state.EpochsSinceChange;
        LastChange = state.LastChange;
        LearningRateScale = state.LearningRateScale;
        Changes = state.Changes;
        _lastEpoch = state.LastEpoch;
        _calibrationSeconds = state.CalibrationSeconds;
    }

    /// <summary>The context a policy sees before the step described by <paramref name="progress"/>.</summary>
    public PolicyContext ContextFor(TrainingProgress progress)
    {
        ArgumentNullException.ThrowIfNull(progress);
        int phase = _schedule.PhaseAt(progress.Epoch);
        int phases = _schedule.MilestoneEpochs.Count + 1;
        int start = phase == 0 ? 0 : _schedule.MilestoneEpochs[phase - 1];
        int end = phase < _schedule.MilestoneEpochs.Count ? _schedule.MilestoneEpochs[phase] : _schedule.Epochs;
        double epochsDone = progress.Epoch + (double)progress.SamplesSeenInEpoch / progress.EpochSize;
        return new PolicyContext
        {
            Epoch = progress.Epoch,
            Epochs = progress.Epochs,
            IterationInEpoch = progress.IterationInEpoch,
            Fraction = progress.Fraction,
            Phase = phase,
            Phases = phases,
            PhaseFraction = end > start ? Math.Clamp((epochsDone - start) / (end - start), 0, 1) : 0,
            BatchSize = BatchSize,
            EpochsSinceChange = EpochsSinceChange,
            EpochSize = progress.EpochSize,
            ProbeInterval = ProbeInterval,
            Measurements = progress.Measurements,
            CumulativeCondition = progress.CumulativeCondition,
            CumulativeEnergy = progress.CumulativeEnergy,
            ScheduledLearningRate = _schedule.LearningRateAt(progress.Epoch),
            BaseLearningRate = _schedule.BaseLearningRate,
            Rule = Rule,
            ReferenceBatchSize = ReferenceBatchSize,
            LastEpoch = _lastEpoch,
            LastChange = LastChange,
            Throughput = Throughput,
        };
    }
}
