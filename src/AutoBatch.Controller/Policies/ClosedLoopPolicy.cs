using System.Globalization;
using System.Text;
using AutoBatch.Beacons.Maps;

namespace AutoBatch.Controller.Policies;

/// <summary>
/// The closed-loop Fisher-map controller (SPEC §4; the law and its reasoning are in docs/CONTROLLER.md).
/// At every epoch boundary it predicts, for each candidate batch size (halve, keep, double, within the guards and the
/// map's range), where the live (C̄_K, L_K) will end if the run holds that batch size to the last epoch, and reads the
/// final test error the map's final surface gives that point. It takes the largest candidate whose predicted error is
/// within the tolerance δ of the best fixed beacon's error: fewer iterations whenever the map says they cost no
/// accuracy; when no candidate is predicted that good, the one predicted best.
/// </summary>
/// <remarks>
/// Looking to the end rather than one epoch ahead matters because C̄_K and L_K are cumulative: one epoch at a larger
/// batch barely moves them, so every single step looks harmless, while holding it moves the run out of the region
/// (measured: a one-epoch look-ahead walked B from 32 to 512 in four epochs and ended 0.7 points worse than the best
/// fixed beacon; docs/RESULTS.md). The prediction keeps the run's own last-epoch c and l and scales them by the
/// beacons' response (<see cref="Predict"/>).
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

    /// <inheritdoc/>
    public string Settings => string.Create(CultureInfo.InvariantCulture, $"{Name}, {_settings.Guards}, δ {Tolerance:R}");

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

        int mapEpoch = _model.Surfaces.Epochs;
        if (_model.Surfaces.At(mapEpoch) is not { } atEpoch)
        {
            return new BatchDecision(context.BatchSize, $"the map has no measures at its epoch {mapEpoch}", Evaluated: true);
        }

        List<CandidatePrediction> predictions = [];
        foreach (int candidate in Candidates(context.BatchSize))
        {
            if (Predict(context, candidate, atEpoch.Surface, atEpoch.Region) is { } p)
            {
                predictions.Add(p);
            }
        }

        if (predictions.Count == 0)
        {
            return new BatchDecision(context.BatchSize, $"the map has no beacons to compare batch sizes at its epoch {mapEpoch}", Evaluated: true);
        }

        double best = predictions.Min(p => p.Error);
        CandidatePrediction chosen = Choose(predictions, Tolerance, _model.BestError);
        return new BatchDecision(chosen.BatchSize, Explain(context, chosen, predictions, best), Evaluated: true)
        {
            Inputs = Inputs(context, predictions, mapEpoch),
        };
    }

    /// <summary>
    /// The control law's choice: the largest candidate whose predicted final error is within
    /// <paramref name="tolerance"/> of <paramref name="target"/> (the best fixed beacon's error); when none is, the
    /// candidate predicted best (the larger one on a tie), to recover. Anchoring the tolerance to the target rather than
    /// to the best candidate keeps the losses of successive steps from adding up: each step may use the whole δ only
    /// once, relative to the same reference.
    /// </summary>
    public static CandidatePrediction Choose(IReadOnlyList<CandidatePrediction> predictions, double tolerance, double target)
    {
        ArgumentNullException.ThrowIfNull(predictions);
        if (predictions.Count == 0)
        {
            throw new ArgumentException("No candidates.", nameof(predictions));
        }

        CandidatePrediction[] within = predictions.Where(p => p.Error <= target + tolerance).ToArray();
        return within.Length > 0
            ? within.MaxBy(p => p.BatchSize)!
            : predictions.OrderBy(p => p.Error).ThenByDescending(p => p.BatchSize).First();
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

    /// <summary>
    /// Where the run ends if it holds <paramref name="candidate"/> from now to the last epoch: the predicted final
    /// C̄_K and L_K, the final error the map's final surface gives them, and their distance to the final optimum region.
    /// </summary>
    /// <remarks>
    /// Each remaining epoch e' gets c' = c_live · c_map(B', e') / c_map(B, e) and l' = l_live · l_map(B', e') /
    /// l_map(B, e) · (α rule factor), where c_live, l_live are the run's last-epoch means, e its last epoch and the map
    /// values the beacons' per-epoch means (<see cref="MapModel.Measures"/>): the run keeps its own level and follows
    /// the beacons' response to B and to the learning-rate decay. C̄ and L then accumulate as SPEC §1 defines them.
    /// </remarks>
    public CandidatePrediction? Predict(PolicyContext context, int candidate, ErrorSurface surface, OptimumRegion region)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(surface);
        ArgumentNullException.ThrowIfNull(region);
        var last = context.LastEpoch!;
        MapSurfaces maps = _model.Surfaces;
        if (_model.Measures(context.BatchSize, context.BaseLearningRate, maps.MapEpoch(context.Epoch, context.Epochs)) is not { } now)
        {
            return null;
        }

        double lrFactor = LearningRateScaling.Factor(context.Rule, candidate, context.ReferenceBatchSize)
            / LearningRateScaling.Factor(context.Rule, context.BatchSize, context.ReferenceBatchSize);
        long iterations = (context.EpochSize + candidate - 1) / candidate;
        long measurements = context.ProbeInterval <= 0 ? 0 : (iterations - 1) / context.ProbeInterval + 1;
        double condition = context.ConditionMean, energy = context.Energy;
        long measured = context.Measurements;
        for (int epoch = context.Epoch + 1; epoch <= context.Epochs; epoch++)
        {
            if (_model.Measures(candidate, context.BaseLearningRate, maps.MapEpoch(epoch, context.Epochs)) is not { } future)
            {
                return null;
            }

            double c = last.EpochCondition * future.Condition / now.Condition;
            double l = last.EpochEnergy * future.Energy / now.Energy * lrFactor;
            condition = (condition * measured + c * measurements) / (measured + measurements);
            measured += measurements;
            energy += iterations * l;
        }

        return new CandidatePrediction(candidate, condition, energy, surface.Evaluate(condition, energy), region.DistanceToRegion(condition, energy));
    }

    private string Explain(PolicyContext context, CandidatePrediction chosen, List<CandidatePrediction> predictions, double best)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"predicted final error (target {_model.BestError:P2} + δ {Tolerance:P2}): ");
        text.AppendJoin(", ", predictions.Select(p => string.Create(CultureInfo.InvariantCulture, $"B={p.BatchSize} {p.Error:P2} (d={p.Distance:F3})")));
        text.Append("; ");
        if (chosen.BatchSize == context.BatchSize)
        {
            text.Append(CultureInfo.InvariantCulture, $"keep B = {context.BatchSize}: the largest within target + δ, or the best if none is ({best:P2})");
        }
        else if (chosen.BatchSize > context.BatchSize)
        {
            text.Append(CultureInfo.InvariantCulture, $"B {context.BatchSize} -> {chosen.BatchSize}: fewer iterations, predicted within target + δ");
        }
        else
        {
            text.Append(CultureInfo.InvariantCulture, $"B {context.BatchSize} -> {chosen.BatchSize}: keeping B is predicted above target + δ");
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
