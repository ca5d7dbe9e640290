using System.Diagnostics;
using AutoBatch.Engine.Data;
using AutoBatch.Engine.Probe;
using AutoBatch.Engine.Randomness;

namespace AutoBatch.Engine.Training;

/// <summary>
/// Runs epochs: each is one pass over a fresh shuffled permutation of the training set, whatever batch sizes the
/// planner picks (SPEC §2), with the probe at the sampled iterations and a test evaluation at the end.
/// Deterministic for a fixed seed and thread count.
/// </summary>
public sealed class Trainer
{
    private readonly Network _network;
    private readonly BatchAssembler _train;
    private readonly float[] _testX;
    private readonly long[] _testY;
    private readonly TrainerOptions _options;
    private readonly Pcg32 _orderRng;
    private readonly Pcg32 _augmentRng;
    private FisherAccumulator _measures = new();
    private float[] _batchX = [];
    private long[] _batchY = [];

    /// <summary>Creates a trainer; the test set is normalised once, up front.</summary>
    public Trainer(Network network, BatchAssembler train, BatchAssembler test, TrainerOptions options)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        CheckShape(network, train.DataSet);
        CheckShape(network, test.DataSet);
        _network = network;
        _train = train;
        _options = options;
        _orderRng = new Pcg32(unchecked((ulong)options.Seed), stream: 1);
        _augmentRng = new Pcg32(unchecked((ulong)options.Seed), stream: 2);
        int n = test.DataSet.Count;
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

    /// <summary>Runs all remaining epochs, yielding each record as it completes.</summary>
    public IEnumerable<EpochRecord> Run(IStepPlanner planner, Action<StepEvent>? onStep = null, CancellationToken cancellationToken = default)
    {
        while (Epoch < _options.Epochs && !Diverged)
        {
            yield return RunEpoch(planner, onStep, cancellationToken);
        }
    }

    /// <summary>Trains one epoch and evaluates on the test set.</summary>
    public EpochRecord RunEpoch(IStepPlanner planner, Action<StepEvent>? onStep = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(planner);
        if (Diverged)
        {
            throw new InvalidOperationException("The run diverged; it cannot continue.");
        }

        int n = _train.DataSet.Count;
        int[] order = Enumerable.Range(0, n).ToArray();
        _orderRng.Shuffle(order);

        int position = 0, iterations = 0, measured = 0, lastBatch = 0;
        double lossSum = 0, trainSeconds = 0, probeSeconds = 0, lastLr = 0;
        double conditionSum = 0, energySum = 0, rankSum = 0, noiseSum = 0;
        long correct = 0;
        var clock = new Stopwatch();
        while (position < n)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var progress = new TrainingProgress(
                Epoch, _options.Epochs, iterations + 1, _measures.Iterations, position, n, _measures.ConditionMean, _measures.Energy);
            StepPlan plan = planner.Plan(progress);
            if (plan.BatchSize < 1)
            {
                throw new InvalidOperationException($"The planner asked for batch size {plan.BatchSize}; it must be >= 1.");
            }

            int batch = Math.Min(plan.BatchSize, n - position);
            EnsureBuffers(batch);
            Span<float> x = _batchX.AsSpan(0, batch * _train.SampleSize);
            Span<long> y = _batchY.AsSpan(0, batch);
            clock.Restart();
            _train.Fill(order.AsSpan(position, batch), _augmentRng, x, y);
            ProbeSettings? probe = _options.Probe is { } p && p.IsMeasured(iterations + 1) ? p : null;
            StepResult result = _network.TrainStep(x, y, plan.LearningRate, probe);
            trainSeconds += clock.Elapsed.TotalSeconds;
            _measures.AddIteration();
            iterations++;
            position += batch;
            lastLr = plan.LearningRate;
            if (batch == plan.BatchSize || lastBatch == 0)
            {
                lastBatch = batch;
            }

            if (result.Probe is { } reading)
            {
                _measures.AddReading(reading);
                probeSeconds += reading.GramSeconds + reading.EigenSeconds;
                if (reading.Status == ProbeStatus.Ok)
                {
                    measured++;
                    conditionSum += reading.Condition;
                    energySum += reading.Energy;
                    rankSum += reading.Rank;
                    noiseSum += reading.NoiseScale;
                }
            }

            onStep?.Invoke(new StepEvent(progress, plan with { BatchSize = batch }, result, _measures.Snapshot()));
            if (!result.Finite)
            {
                Diverged = true;
                break;
            }

            lossSum += result.Loss * batch;
            correct += result.Correct;
        }

        clock.Restart();
        // A non-finite step is never applied, so after a divergence the network still holds the last finite
        // weights and the evaluation stays finite (a map never holds NaN or infinity).
        Evaluation test = _network.Evaluate(_testX, _testY, _options.EvaluationChunk);
        double evalSeconds = clock.Elapsed.TotalSeconds;
        Epoch++;
        return new EpochRecord
        {
            Epoch = Epoch,
            Iterations = iterations,
            TotalIterations = _measures.Iterations,
            MeanBatchSize = (double)position / Math.Max(1, iterations),
            BatchSize = lastBatch,
            LearningRate = lastLr,
            TrainLoss = position == 0 ? 0 : FiniteOrMax(lossSum / position),
            TrainError = position == 0 ? 1 : 1.0 - (double)correct / position,
            TestLoss = FiniteOrMax(test.MeanLoss),
            TestError = test.Error,
            ConditionMean = _measures.ConditionMean,
            Energy = _measures.Energy,
            EpochCondition = measured == 0 ? 0 : conditionSum / measured,
            EpochEnergy = measured == 0 ? 0 : energySum / measured,
            MeanRank = measured == 0 ? 0 : rankSum / measured,
            NoiseScale = measured == 0 ? 0 : noiseSum / measured,
            Measurements = measured,
            TrainSeconds = trainSeconds,
            ProbeSeconds = probeSeconds,
            EvalSeconds = evalSeconds,
            Diverged = Diverged,
        };
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

    private static void CheckShape(Network network, ImageDataSet data)
    {
        var input = network.Spec.Input;
        if (data.Channels != input.Channels || data.Height != input.Height || data.Width != input.Width)
        {
            throw new ArgumentException(
                $"{data.Source}: images are {data.Channels}x{data.Height}x{data.Width}, the model {network.Spec.Name} expects {input}.");
        }

        if (data.Classes > network.Spec.Classes)
        {
            throw new ArgumentException($"{data.Source}: {data.Classes} classes, the model has {network.Spec.Classes} outputs.");
        }
    }
}
