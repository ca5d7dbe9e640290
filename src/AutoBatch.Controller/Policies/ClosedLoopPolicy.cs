using System.Globalization;
using System.Text;
using AutoBatch.Beacons.Maps;

namespace AutoBatch.Controller.Policies;

/// <summary>
/// The closed-loop Fisher-map controller (SPEC §4; the law and its reasoning are in docs/CONTROLLER.md).
/// At every epoch boundary it predicts, for each candidate batch size (halve, keep, double, within the guards and the
/// map's range), where the live (C̄_K, L_K) will be after the coming epoch, and reads the final test error the map's
/// surface gives that point at that epoch fraction. It takes the largest candidate whose predicted error is within
/// the tolerance δ of the best candidate's: fewer iterations whenever the map says they cost no accuracy, more only
/// when the map says they pay.
/// </summary>
/// <remarks>
/// The prediction keeps the run's own last-epoch c and l and scales them by how the beacons' per-epoch c and l change
/// between the two batch sizes at the same epoch and learning rate (<see cref="MapModel.Ratio"/>); l also follows the
/// learning-rate rule (l_k = α_k/B_k·√Tr F̃ is linear in α). Then C̄ after the epoch is the measurement-weighted mean
/// of the current C̄_K and the predicted c, and L_K grows by the epoch's iterations times the predicted l (L_K counts
/// every iteration, SPEC §1).
/// </remarks>
public sealed class ClosedLoopPolicy : IBatchPolicy
{
    private readonly MapModel _model;
    private readonly ClosedLoopSettings _settings;

    /// <summary>Creates the controller over a map.</summary>
    public ClosedLoopPolicy(MapModel model, ClosedLoopSettings settings)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        _model = model;
        _settings = settings;
        Tolerance = settings.ErrorTolerance ?? Math.Max(ClosedLoopSettings.MinimumTolerance, model.SeedErrorStd);
    }

    /// <inheritdoc/>
    public string Name => "closed-loop";

    /// <summary>The error tolerance δ in use.</summary>
    public double Tolerance { get; }

    /// <inheritdoc/>
    public BatchDecision Decide(PolicyContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        PolicyGuards guards = _settings.Guards;
        if (guards.Check(context) is { } held)
        {
            return held;
        }

        var last = context.LastEpoch!;
        if (context.Measurements == 0 || last.Measurements == 0 || !(context.ConditionMean > 0 && context.Energy > 0))
        {
            return new BatchDecision(context.BatchSize, "no probe measurement in the last epoch", Evaluated: true);
        }

        int mapEpoch = _model.Surfaces.MapEpoch(context.Epoch + 1, context.Epochs);
        if (_model.Surfaces.At(mapEpoch) is not { } atEpoch)
        {
            return new BatchDecision(context.BatchSize, $"the map has no measures at its epoch {mapEpoch}", Evaluated: true);
        }

        List<CandidatePrediction> predictions = [];
        foreach (int candidate in Candidates(context.BatchSize))
        {
            if (Predict(context, candidate, mapEpoch, atEpoch.Surface, atEpoch.Region) is { } p)
            {
                predictions.Add(p);
            }
        }

        if (predictions.Count == 0)
        {
            return new BatchDecision(context.BatchSize, $"the map has no beacons to compare batch sizes at its epoch {mapEpoch}", Evaluated: true);
        }

        double best = predictions.Min(p => p.Error);
        CandidatePrediction chosen = Choose(predictions, Tolerance);
        return new BatchDecision(chosen.BatchSize, Explain(context, chosen, predictions, best), Evaluated: true)
        {
            Inputs = Inputs(context, predictions, mapEpoch),
        };
    }

    /// <summary>
    /// The control law's choice: the largest candidate whose predicted final error is within
    /// <paramref name="tolerance"/> of the lowest. A smaller batch size is therefore chosen only when it is predicted
    /// better than every larger one by more than the tolerance (the hysteresis against seed noise).
    /// </summary>
    public static CandidatePrediction Choose(IReadOnlyList<CandidatePrediction> predictions, double tolerance)
    {
        ArgumentNullException.ThrowIfNull(predictions);
        if (predictions.Count == 0)
        {
            throw new ArgumentException("No candidates.", nameof(predictions));
        }

        double best = predictions.Min(p => p.Error);
        return predictions.Where(p => p.Error <= best + tolerance).MaxBy(p => p.BatchSize)!;
    }

    /// <summary>The candidate batch sizes: halve, keep, double, clamped to the guards and the map's batch-size range.</summary>
    public IReadOnlyList<int> Candidates(int batchSize)
    {
        PolicyGuards g = _settings.Guards;
        int low = Math.Max(g.MinBatchSize, _model.MinBatchSize), high = Math.Min(g.MaxBatchSize, _model.MaxBatchSize);
        var set = new SortedSet<int> { batchSize };
        foreach (double factor in new[] { 1 / _settings.Step, _settings.Step })
        {
            int c = (int)Math.Round(batchSize * factor);
            if (c >= low && c <= high)
            {
                set.Add(c);
            }
        }

        return set.ToArray();
    }

    /// <summary>The predicted measures, error and region distance after the coming epoch at <paramref name="candidate"/>.</summary>
    public CandidatePrediction? Predict(PolicyContext context, int candidate, int mapEpoch, ErrorSurface surface, OptimumRegion region)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(surface);
        ArgumentNullException.ThrowIfNull(region);
        var last = context.LastEpoch!;
        if (_model.Ratio(context.BatchSize, candidate, context.BaseLearningRate, mapEpoch) is not { } ratio)
        {
            return null;
        }

        double lrFactor = LearningRateScaling.Factor(context.Rule, candidate, context.ReferenceBatchSize)
            / LearningRateScaling.Factor(context.Rule, context.BatchSize, context.ReferenceBatchSize);
        double c = last.EpochCondition * ratio.Condition;
        double l = last.EpochEnergy * ratio.Energy * lrFactor;
        long iterations = (context.EpochSize + candidate - 1) / candidate;
        long measurements = context.ProbeInterval <= 0 ? 0 : (iterations - 1) / context.ProbeInterval + 1;
        double condition = (context.ConditionMean * context.Measurements + c * measurements) / (context.Measurements + measurements);
        double energy = context.Energy + iterations * l;
        return new CandidatePrediction(candidate, condition, energy, surface.Evaluate(condition, energy), region.DistanceToRegion(condition, energy));
    }

    private string Explain(PolicyContext context, CandidatePrediction chosen, List<CandidatePrediction> predictions, double best)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"predicted final error (δ = {Tolerance:P2}): ");
        text.AppendJoin(", ", predictions.Select(p => string.Create(CultureInfo.InvariantCulture, $"B={p.BatchSize} {p.Error:P2} (d={p.Distance:F3})")));
        text.Append("; ");
        if (chosen.BatchSize == context.BatchSize)
        {
            text.Append(CultureInfo.InvariantCulture, $"keep B = {context.BatchSize}: the largest within δ of the best ({best:P2})");
        }
        else if (chosen.BatchSize > context.BatchSize)
        {
            text.Append(CultureInfo.InvariantCulture, $"B {context.BatchSize} -> {chosen.BatchSize}: fewer iterations, predicted within δ of the best ({best:P2})");
        }
        else
        {
            text.Append(CultureInfo.InvariantCulture, $"B {context.BatchSize} -> {chosen.BatchSize}: keeping B is predicted worse than the best by more than δ");
        }

        return text.ToString();
    }

    private static Dictionary<string, double> Inputs(PolicyContext context, List<CandidatePrediction> predictions, int mapEpoch)
    {
        var inputs = new Dictionary<string, double>
        {
            ["conditionMean"] = context.ConditionMean,
            ["energy"] = context.Energy,
            ["epochCondition"] = context.LastEpoch!.EpochCondition,
            ["epochEnergy"] = context.LastEpoch.EpochEnergy,
            ["mapEpoch"] = mapEpoch,
        };
        foreach (CandidatePrediction p in predictions)
        {
            string key = p.BatchSize.ToString(CultureInfo.InvariantCulture);
            inputs["error@" + key] = p.Error;
            inputs["distance@" + key] = p.Distance;
            inputs["condition@" + key] = p.Condition;
            inputs["energy@" + key] = p.Energy;
        }

        return inputs;
    }
}
