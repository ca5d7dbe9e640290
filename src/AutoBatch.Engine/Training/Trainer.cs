using System.Diagnostics;
using AutoBatch.Engine.Data;
using AutoBatch.Engine.Probe;
using AutoBatch.Engine.Randomness;

namespace AutoBatch.Engine.Training;

/// <summary>
/// Runs epochs: each is one pass over a fresh shuffled permutation of the training set, whatever batch sizes the
/// planner picks (docs/DESIGN.md, 'Training protocol'), with the probe at the sampled iterations and a test evaluation
/// at the end. Deterministic for a fixed seed and thread count.
/// </summary>
public sealed class Trainer
{
    private readonly ITrainingNetwork _network;
    private readonly IBatchSource _train;
    private readonly float[] _testX;
    private readonly long[] _testY;
    private readonly TrainerOptions _options;
    private Pcg32 _orderRng;
    private Pcg32 _augmentRng;
    private FisherAccumulator _measures = new();
    private EpochRun? _current;
    private float[] _batchX = [];
    private long[] _batchY = [];

    /// <summary>Creates a trainer; the test set is normalised once, up front.</summary>
    public Trainer(ITrainingNetwork network, IBatchSource train, IBatchSource test, TrainerOptions options)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        CheckShape(network, train);
        CheckShape(network, test);
        _network = network;
        _train = train;
        _options = options;
        _orderRng = new Pcg32(unchecked((ulong)options.Seed), stream: 1);
        _augmentRng = new Pcg32(unchecked((ulong)options.Seed), stream: 2);
        int n = test.Count;
        _testX = new float[(long)n * test.SampleSize];
        _testY = new long[n];
        test.FillPlain(Enumerable.Range(0, n).ToArray(), _testX, _testY);
    }

    /// <summary>Completed epochs.</summary>
    public int Epoch { get; private set; }

    /// <summary>The cumulative Fisher measures.</summary>
    public FisherAccumulator Measures => _measures;

    /// <summary>True once a step diverged; no further epochs run.</summary>
    public bool Diverged { get; private set; }

    /// <summary>True while an epoch is unfinished (stopped by cancellation or restored mid-epoch).</summary>
    public bool InEpoch => _current is not null;

    /// <summary>Runs all remaining epochs, yielding each record as it completes.</summary>
    public IEnumerable<EpochRecord> Run(IStepPlanner planner, Action<StepEvent>? onStep = null, CancellationToken cancellationToken = default)
    {
        while (Epoch < _options.Epochs && !Diverged)
        {
            yield return RunEpoch(planner, onStep, cancellationToken);
        }
    }

    /// <summary>
    /// Trains one epoch (or the rest of an epoch stopped by cancellation or restored from a checkpoint) and evaluates
    /// on the test set. Cancellation is checked before every step; after it, <see cref="CaptureState"/> describes the
    /// partial epoch and a later call continues it.
    /// </summary>
    public EpochRecord RunEpoch(IStepPlanner planner, Action<StepEvent>? onStep = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(planner);
        if (Diverged)
        {
            throw new InvalidOperationException("The run diverged; it cannot continue.");
        }

        int n = _train.Count;
        _current ??= StartEpoch(n);
        EpochRun e = _current;
        var clock = new Stopwatch();
        TimeSpan cpu = Environment.CpuUsage.TotalTime;
        try
        {
            while (e.Position < n)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var progress = new TrainingProgress(
                    Epoch, _options.Epochs, e.Iterations + 1, _measures.Iterations, e.Position, n, _measures.CumulativeCondition, _measures.CumulativeEnergy)
                {
                    Measurements = _measures.Measurements,
                };
                if (planner is ICalibratingPlanner calibrating && calibrating.CalibrationWanted(progress) is { Count: > 0 } sizes)
                {
                    Calibrate(calibrating, progress, sizes, e);
                }

                StepPlan plan = planner.Plan(progress);
                if (plan.BatchSize < 1)
                {
                    throw new InvalidOperationException($"The planner asked for batch size {plan.BatchSize}; it must be >= 1.");
                }

                int batch = Math.Min(plan.BatchSize, n - e.Position);
                EnsureBuffers(batch);
                Span<float> x = _batchX.AsSpan(0, batch * _train.SampleSize);
                Span<long> y = _batchY.AsSpan(0, batch);
                clock.Restart();
                _train.Fill(e.Order.AsSpan(e.Position, batch), _augmentRng, x, y);
                ProbeSettings? probe = _options.Probe is { } p && p.IsMeasured(e.Iterations + 1) ? p : null;
                if (probe is not null)
                {
                    // A background probe of an earlier step finishes (on the other core) while the steps between run.
                    CollectProbe(e);
                }

                StepResult result = _network.TrainStep(x, y, plan.LearningRate, probe);
                e.TrainSeconds += clock.Elapsed.TotalSeconds;
                _measures.AddIteration();
                e.Iterations++;
                e.Position += batch;
                e.LastLearningRate = plan.LearningRate;
                if (batch == plan.BatchSize || e.LastBatch == 0)
                {
                    e.LastBatch = batch;
                }

                if (result.Probe is { } reading)
                {
                    AddReading(reading, e);
                }

                onStep?.Invoke(new StepEvent(progress, plan with { BatchSize = batch }, result, _measures.Snapshot()));
                if (!result.Finite)
                {
                    Diverged = true;
                    break;
                }

                e.LossSum += result.Loss * batch;
                e.Correct += result.Correct;
            }
        }
        finally
        {
            // The process's CPU time (every thread: the background probe's too), kept when a stop cancels the epoch.
            e.CpuSeconds += (Environment.CpuUsage.TotalTime - cpu).TotalSeconds;
        }

        clock.Restart();
        // A non-finite step is never applied, so after a divergence the network still holds the last finite
        // weights and the evaluation stays finite (a map never holds NaN or infinity).
        Evaluation test = _network.Evaluate(_testX, _testY, _options.EvaluationChunk);
        double evalSeconds = clock.Elapsed.TotalSeconds;
        clock.Restart();
        cpu = Environment.CpuUsage.TotalTime;
        CollectProbe(e);  // after the evaluation, which the probe thread overlaps
        e.TrainSeconds += clock.Elapsed.TotalSeconds;
        e.CpuSeconds += (Environment.CpuUsage.TotalTime - cpu).TotalSeconds;
        Epoch++;
        _current = null;
        return new EpochRecord
        {
            Epoch = Epoch,
            Iterations = e.Iterations,
            TotalIterations = _measures.Iterations,
            MeanBatchSize = (double)e.Position / Math.Max(1, e.Iterations),
            BatchSize = e.LastBatch,
            LearningRate = e.LastLearningRate,
            TrainLoss = e.Position == 0 ? 0 : FiniteOrMax(e.LossSum / e.Position),
            TrainError = e.Position == 0 ? 1 : 1.0 - (double)e.Correct / e.Position,
            TestLoss = FiniteOrMax(test.MeanLoss),
            TestError = test.Error,
            CumulativeCondition = _measures.CumulativeCondition,
            CumulativeEnergy = _measures.CumulativeEnergy,
            EpochCondition = e.Readings.MeanStepCondition,
            EpochEnergy = e.Readings.MeanStepEnergy,
            MeanRank = e.Readings.MeanRank,
            NoiseScale = e.Readings.MeanNoiseScale,
            Measurements = (int)e.Readings.Count,
            TrainSeconds = e.TrainSeconds,
            TrainCpuSeconds = e.CpuSeconds,
            ProbeSeconds = e.ProbeSeconds,
            EvalSeconds = evalSeconds,
            Diverged = Diverged,
            RankRule = _options.Probe?.RankRule ?? RankRule.Tolerance,
            OtherRule = _options.Probe is { BothRankRules: true } both
                ? new OtherRuleMeasures(
                    both.RankRule == RankRule.Tolerance ? RankRule.Reference : RankRule.Tolerance,
                    _measures.OtherCumulativeCondition,
                    e.Readings.MeanOtherStepCondition,
                    e.Readings.MeanOtherRank)
                : null,
        };
    }

    /// <summary>
    /// The trainer's state at the current step boundary (the network's tensors are saved separately, see
    /// <see cref="Checkpoints.CheckpointFile"/>).
    /// </summary>
    public TrainerState CaptureState()
    {
        if (_current is { } running)
        {
            CollectProbe(running);
        }

        EpochProgressState? inProgress = _current is not { } e
            ? null
            : new EpochProgressState(
                e.OrderRngBeforeShuffle, e.Position, e.Iterations, (int)e.Readings.Count, e.LossSum, e.Correct, e.TrainSeconds, e.ProbeSeconds,
                e.Readings.ConditionSum, e.Readings.EnergySum, e.Readings.RankSum, e.Readings.NoiseScaleSum, e.LastBatch, e.LastLearningRate,
                e.Readings.OtherConditionSum, e.Readings.OtherRankSum, e.CpuSeconds);
        return new TrainerState(
            _options.Epochs, _options.Seed, Epoch, Diverged, ToState(_orderRng), ToState(_augmentRng), _measures.Snapshot(), inProgress);
    }

    /// <summary>
    /// Continues from a state taken by <see cref="CaptureState"/> of a trainer with the same data, seed and epochs;
    /// the caller restores the network's tensors from the same checkpoint.
    /// </summary>
    /// <exception cref="InvalidDataException">The state belongs to a run with other epochs or another seed, or is inconsistent.</exception>
    public void RestoreState(TrainerState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.Epochs != _options.Epochs || state.Seed != _options.Seed)
        {
            throw new InvalidDataException(
                $"The checkpoint is of a run with {state.Epochs} epochs and seed {state.Seed}; this run has {_options.Epochs} epochs and seed {_options.Seed}.");
        }

        int n = _train.Count;
        if (state.Epoch < 0 || state.Epoch > state.Epochs || state.InProgress is { } p && (p.Position < 0 || p.Position > n))
        {
            throw new InvalidDataException($"The checkpoint's position (epoch {state.Epoch}, sample {state.InProgress?.Position}) does not fit a run of {state.Epochs} epochs over {n} samples.");
        }

        if (_network.ProbePending)
        {
            try
            {
                _network.CollectProbe();  // a reading of the abandoned steps; the restored state replaces it
            }
            catch (EngineException)
            {
                // Its failure belongs to the abandoned steps too.
            }
        }

        Epoch = state.Epoch;
        Diverged = state.Diverged;
        _orderRng = FromState(state.OrderRng);
        _augmentRng = FromState(state.AugmentRng);
        _measures = FisherAccumulator.Restore(state.Measures);
        _current = null;
        if (state.InProgress is { } s)
        {
            // Reshuffling from the generator state taken before the epoch's shuffle reproduces its permutation; the
            // order generator itself continues from its stored (post-shuffle) state.
            int[] order = Enumerable.Range(0, n).ToArray();
            FromState(s.OrderRngBeforeShuffle).Shuffle(order);
            _current = new EpochRun(s.OrderRngBeforeShuffle, order)
            {
                Position = s.Position,
                Iterations = s.Iterations,
                LossSum = s.LossSum,
                Correct = s.Correct,
                TrainSeconds = s.TrainSeconds,
                ProbeSeconds = s.ProbeSeconds,
                Readings = ReadingSums.Restore(s.Measured, s.ConditionSum, s.EnergySum, s.RankSum, s.NoiseSum, s.OtherConditionSum, s.OtherRankSum),
                LastBatch = s.LastBatch,
                LastLearningRate = s.LastLearningRate,
                CpuSeconds = s.CpuSeconds,
            };
        }
    }

    // Times the sizes (the network is put back as it was) and counts the time as the epoch's training time.
    private void Calibrate(ICalibratingPlanner planner, TrainingProgress progress, IReadOnlyList<int> sizes, EpochRun e)
    {
        CollectProbe(e);
        long start = Stopwatch.GetTimestamp();
        IReadOnlyList<BatchTiming> timings = StepCalibration.Time(_network, _train, e.Order, sizes);
        double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        e.TrainSeconds += seconds;
        planner.Calibrated(progress, timings, seconds);
    }

    // Applies the background probe's reading, if one is pending, to the epoch that launched it. Readings are applied
    // at fixed points (before the next probed step, at the end of the epoch, before a checkpoint), never at times that
    // depend on the probe thread, so a run is the same with and without the background probe.
    private void CollectProbe(EpochRun e)
    {
        if (_network.ProbePending)
        {
            AddReading(_network.CollectProbe(), e);
        }
    }

    private void AddReading(ProbeReading reading, EpochRun e)
    {
        _measures.AddReading(reading);
        e.ProbeSeconds += reading.Seconds;
        e.Readings.Add(reading);
    }

    private EpochRun StartEpoch(int n)
    {
        GeneratorState before = ToState(_orderRng);
        int[] order = Enumerable.Range(0, n).ToArray();
        _orderRng.Shuffle(order);
        return new EpochRun(before, order);
    }

    private static GeneratorState ToState(Pcg32 rng)
    {
        (ulong state, ulong increment) = rng.GetState();
        return new GeneratorState(state, increment);
    }

    private static Pcg32 FromState(GeneratorState s)
    {
        try
        {
            return Pcg32.FromState(s.State, s.Increment);
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"The checkpoint's generator state is invalid: {e.Message}", e);
        }
    }

    // Records are written as JSON, which has no NaN or infinity; an overflowing loss is recorded as double.MaxValue.
    private static double FiniteOrMax(double value) => double.IsFinite(value) ? value : double.MaxValue;

    private void EnsureBuffers(int batch)
    {
        if (_batchY.Length < batch)
        {
            _batchY = new long[batch];
            _batchX = new float[(long)batch * _train.SampleSize];
        }
    }

    private static void CheckShape(ITrainingNetwork network, IBatchSource data)
    {
        var input = network.Spec.Input;
        if (data.Shape != input)
        {
            throw new UserInputException(data.Source, $"images are {data.Shape}, the model {network.Spec.Name} expects {input}.");
        }

        if (data.Classes > network.Spec.Classes)
        {
            throw new UserInputException(data.Source, $"{data.Classes} classes, the model has {network.Spec.Classes} outputs.");
        }
    }

    // The mutable progress of the current epoch; a field (not locals) so that a cancelled epoch can be checkpointed.
    private sealed class EpochRun(GeneratorState orderRngBeforeShuffle, int[] order)
    {
        public GeneratorState OrderRngBeforeShuffle { get; } = orderRngBeforeShuffle;

        public int[] Order { get; } = order;

        public int Position { get; set; }

        public int Iterations { get; set; }

        public double LossSum { get; set; }

        public long Correct { get; set; }

        public double TrainSeconds { get; set; }

        public double ProbeSeconds { get; set; }

        // The epoch's valid readings: its means of c, l, rank and B_simple.
        public ReadingSums Readings { get; set; } = new();

        public int LastBatch { get; set; }

        public double LastLearningRate { get; set; }

        public double CpuSeconds { get; set; }
    }
}
