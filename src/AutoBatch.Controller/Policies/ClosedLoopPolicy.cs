using System.Globalization;
using System.Text;
using AutoBatch.Beacons.Maps;
using AutoBatch.Engine.Probe;

namespace AutoBatch.Controller.Policies;

/// <summary>
/// The closed-loop Fisher-map controller (docs/DESIGN.md, 'The closed-loop law'; its reasoning is in
/// docs/CONTROLLER.md). At every epoch boundary it predicts, for each candidate batch size (halve, keep, double, within
/// the guards and the map's range), where the live (C̄_K, L_K) will end if the run holds that batch size to the last
/// epoch, the final test error the map's final surface gives that point, and the wall-clock of training to the end at
/// the run's own measured speed (<see cref="ThroughputModel"/>). Its objective is the target error (the best fixed
/// beacon's plus δ) in the least time: while keeping B is predicted inside the target, it takes the candidate also
/// predicted inside it that reaches the end soonest; when keeping B is predicted outside it, a change must regain more
/// error than the map's seed noise allows it to resolve (<see cref="Margin"/>). Reversing the last change needs that
/// change's gain plus the margin (<see cref="Choose"/>).
/// </summary>
/// <remarks>
/// Looking to the end rather than one epoch ahead matters because C̄_K and L_K are cumulative: one epoch at a larger
/// batch barely moves them, so every single step looks harmless, while holding it moves the run out of the region
/// (measured: a one-epoch look-ahead walked B from 32 to 512 in four epochs and ended 0.7 points worse than the best
/// fixed beacon; docs/RESULTS.md). The prediction keeps the run's own last-epoch c and l and scales them by the
/// beacons' response (<see cref="Predict"/>).
/// </remarks>
public sealed class ClosedLoopPolicy : ITimedPolicy
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
        Margin = model.ChangeMargin;
    }

    /// <inheritdoc/>
    public string Name => "closed-loop";

    /// <inheritdoc/>
    public string Settings => string.Create(
        CultureInfo.InvariantCulture,
        $"{Name}, {_settings.Guards}, δ {Tolerance:R}, margin {Margin:R}, a reversal needs its change's gain + margin, least predicted time inside target + δ");

    /// <inheritdoc/>
    public bool UsesLastChange => true;

    /// <summary>The error tolerance δ in use.</summary>
    public double Tolerance { get; }

    /// <summary>The margin m a change must be predicted to gain (<see cref="MapModel.ChangeMargin"/>).</summary>
    public double Margin { get; }

    /// <summary>Where a run starts when it is not told (<see cref="ClosedLoopStart"/>); null when no configuration qualifies.</summary>
    public (BestBeacon Start, string Reason)? Start() => ClosedLoopStart.Choose(_model.Map, _model.BestError, Tolerance, _settings.Guards);

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
        if (context.Measurements == 0 || last.Measurements == 0 || !(context.CumulativeCondition > 0 && context.CumulativeEnergy > 0))
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

        LawChoice choice = Choose(predictions, context.BatchSize, _model.BestError, Tolerance, Margin, context.LastChange);
        return new BatchDecision(choice.BatchSize, Explain(context, choice, predictions), Evaluated: true)
        {
            Inputs = Inputs(context, choice, predictions, mapEpoch),
            Gain = choice.BatchSize == context.BatchSize ? null : choice.Gain,
        };
    }

    /// <summary>
    /// The control law (docs/CONTROLLER.md): the target error in the least wall-clock. With T = <paramref name="target"/>
    /// + <paramref name="tolerance"/> (the best fixed beacon's error plus δ) and ê the predicted final errors:
    /// <list type="bullet">
    /// <item>while keeping B is predicted inside T, a candidate has a <b>time</b> case when it too is predicted inside T
    /// (its gain T − ê(B′) is positive) and is predicted to reach the end in no more time than keeping B (a smaller
    /// batch: in less; a larger one also on a tie, for its fewer iterations); it needs no margin;</item>
    /// <item>while keeping B is predicted outside T, a candidate's case is the <b>error</b> it regains, ê(B) − ê(B′),
    /// which must exceed the margin m (<paramref name="margin"/>);</item>
    /// <item>reversing <paramref name="lastChange"/> needs the error gain that change was made on plus m, whatever the
    /// case.</item>
    /// </list>
    /// Of the candidates that qualify, the one predicted to reach the end soonest (<see cref="CandidatePrediction.Seconds"/>);
    /// on equal times (or without throughput figures) the larger gain, then the larger batch. When none qualifies, B is
    /// kept.
    /// </summary>
    /// <remarks>
    /// Anchoring the tolerance to the target rather than to the best candidate keeps the losses of successive steps from
    /// adding up (each may use δ only once, relative to the same reference). The margin keeps predictions that differ by
    /// less than the map's seed noise from moving the batch size, and the hysteresis keeps a prediction that flips with
    /// one epoch of new measures from undoing the change it just made (a limit cycle seen in a live run: 32 → 64 → 32 →
    /// ... at every boundary). A change is remembered with its error gain (<see cref="LawChoice.Gain"/>, T − ê(B′) for a
    /// time case), so a reversal is always asked for error evidence, never for a time figure alone.
    /// </remarks>
    public static LawChoice Choose(
        IReadOnlyList<CandidatePrediction> predictions, int batchSize, double target, double tolerance, double margin, BatchChange? lastChange)
    {
        ArgumentNullException.ThrowIfNull(predictions);
        CandidatePrediction keep = predictions.SingleOrDefault(p => p.BatchSize == batchSize)
            ?? throw new ArgumentException($"No prediction for the batch size in use ({batchSize}).", nameof(predictions));
        double limit = target + tolerance;
        bool keepInside = keep.Error <= limit;
        var options = new List<LawOption>();
        foreach (CandidatePrediction p in predictions.Where(p => p.BatchSize != batchSize))
        {
            int direction = Math.Sign(p.BatchSize - batchSize);
            // +1: predicted faster than keeping B, 0: as fast or unknown (no throughput figures), −1: slower.
            int faster = p.Seconds is { } s && keep.Seconds is { } k ? Math.Sign(k - s) : 0;
            bool timeCase = keepInside && (direction > 0 ? faster >= 0 : faster > 0);
            double? gain = !keepInside ? keep.Error - p.Error : timeCase ? limit - p.Error : null;
            bool reversal = lastChange is not null && lastChange.Direction == -direction;
            double required = reversal ? margin + Math.Max(lastChange!.Gain ?? margin, margin) : timeCase ? 0 : margin;
            options.Add(new LawOption(p.BatchSize, gain, required, reversal, p.Seconds));
        }

        LawOption? best = options.Where(o => o.Qualifies)
            .OrderBy(o => o.Seconds ?? 0).ThenByDescending(o => o.Gain).ThenByDescending(o => o.BatchSize).FirstOrDefault();
        return best is null
            ? new LawChoice(batchSize, 0, limit, options, keep.Seconds)
            : new LawChoice(best.BatchSize, best.Gain!.Value, limit, options, best.Seconds);
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
    /// the beacons' response to B and to the learning-rate decay. C̄ and L then accumulate one whole epoch of n' = ⌈N/B'⌉
    /// steps and m' measurements at a time, with L's share n'·l' (<see cref="FisherAccumulator.AddEpoch"/>).
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
        var measures = FisherAccumulator.StartingAt(last.TotalIterations, context.Measurements, context.CumulativeCondition, context.CumulativeEnergy);
        for (int epoch = context.Epoch + 1; epoch <= context.Epochs; epoch++)
        {
            if (_model.Measures(candidate, context.BaseLearningRate, maps.MapEpoch(epoch, context.Epochs)) is not { } future)
            {
                return null;
            }

            double c = last.EpochCondition * future.EpochCondition / now.EpochCondition;
            double l = last.EpochEnergy * future.EpochEnergy / now.EpochEnergy * lrFactor;
            measures.AddEpoch(iterations, measurements, c, iterations * l);
        }

        double condition = measures.CumulativeCondition, energy = measures.CumulativeEnergy;

        // Wall-clock to the end at the run's own speed on this machine (decisions are at epoch boundaries: whole epochs).
        double? seconds = context.Throughput.Estimate(candidate) is { } speed
            ? (double)(context.Epochs - context.Epoch) * context.EpochSize * speed.SecondsPerSample
            : null;
        return new CandidatePrediction(
            candidate, condition, energy, surface.Evaluate(condition, energy), region.DistanceToRegion(condition, energy), seconds);
    }

    private string Explain(PolicyContext context, LawChoice choice, List<CandidatePrediction> predictions)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"predicted final error (target {_model.BestError:P2} + δ {Tolerance:P2} = {choice.Limit:P2}; margin {Margin:P2}{(_model.NoiseFromSeeds ? string.Empty : ", from the runs' last epochs: the map has one seed")}) and training time to the end on this machine: ");
        text.AppendJoin(", ", predictions.Select(p => string.Create(
            CultureInfo.InvariantCulture,
            $"B={p.BatchSize} {p.Error:P2} (d={p.Distance:F3}{(p.Seconds is { } s ? string.Create(CultureInfo.InvariantCulture, $", {s:F1} s {Basis(context, p.BatchSize)}") : ", no time measured yet")})")));
        text.Append("; ");
        CandidatePrediction keep = predictions.Single(p => p.BatchSize == context.BatchSize);
        bool keepInside = keep.Error <= choice.Limit;
        if (choice.Options.Count > 0)
        {
            text.AppendJoin(", ", choice.Options.Select(o => o.Gain is { } g
                ? string.Create(CultureInfo.InvariantCulture, $"{o.BatchSize}: {(keepInside ? "time case, inside T by" : "regains")} {g:P2} vs {(o.Reversal ? "reversal needs " : "needs ")}{o.Required:P2}")
                : string.Create(CultureInfo.InvariantCulture, $"{o.BatchSize}: no case (keeping B is within target + δ and {o.BatchSize} is not predicted to save time)")));
            text.Append("; ");
        }

        int from = context.BatchSize;
        string time = choice.Seconds is { } t && keep.Seconds is { } k
            ? string.Create(CultureInfo.InvariantCulture, $", {t:F1} s to the end against {k:F1} s")
            : string.Empty;
        text.Append(choice.BatchSize == from
            ? string.Create(CultureInfo.InvariantCulture, $"keep B = {from}: no change is predicted to gain more than it needs")
            : keepInside
                ? string.Create(CultureInfo.InvariantCulture, $"B {from} -> {choice.BatchSize}: predicted inside target + δ (by {choice.Gain:P2}) in the least time{time}")
                : string.Create(CultureInfo.InvariantCulture, $"B {from} -> {choice.BatchSize}: keeping B is predicted above target + δ, this regains {choice.Gain:P2}{time}"));
        return text.ToString();
    }

    private static string Basis(PolicyContext context, int batchSize) => context.Throughput.Estimate(batchSize)?.Basis switch
    {
        ThroughputBasis.Measured => "measured",
        ThroughputBasis.Fitted => "fitted",
        ThroughputBasis.Calibrated => "calibrated",
        _ => "as the one measured batch size",
    };

    private Dictionary<string, double> Inputs(PolicyContext context, LawChoice choice, List<CandidatePrediction> predictions, int mapEpoch)
    {
        var inputs = new Dictionary<string, double>
        {
            ["target"] = _model.BestError,
            ["tolerance"] = Tolerance,
            ["margin"] = Margin,
            ["conditionMean"] = context.CumulativeCondition,
            ["energy"] = context.CumulativeEnergy,
            ["epochCondition"] = context.LastEpoch!.EpochCondition,
            ["epochEnergy"] = context.LastEpoch.EpochEnergy,
            ["mapEpoch"] = mapEpoch,
        };
        // The throughput figures the law used: what the run measured, and what it predicted for each candidate.
        foreach (ThroughputSample measured in context.Throughput.Samples)
        {
            string key = measured.BatchSize.ToString(CultureInfo.InvariantCulture);
            inputs["measuredSecondsPerSample@" + key] = measured.SecondsPerSample;
            inputs["measuredSamples@" + key] = measured.Samples;
        }

        foreach (ThroughputCalibration c in context.Throughput.Calibrations)
        {
            // The timed seconds per sample of a calibrated batch size and of the measured one beside it.
            string key = c.BatchSize.ToString(CultureInfo.InvariantCulture) + "/" + c.ReferenceBatchSize.ToString(CultureInfo.InvariantCulture);
            inputs["calibratedSecondsPerSample@" + key] = c.SecondsPerSample;
            inputs["calibrationReferenceSecondsPerSample@" + key] = c.ReferenceSecondsPerSample;
        }

        foreach (CandidatePrediction p in predictions)
        {
            string key = p.BatchSize.ToString(CultureInfo.InvariantCulture);
            inputs["error@" + key] = p.Error;
            inputs["distance@" + key] = p.Distance;
            inputs["condition@" + key] = p.CumulativeCondition;
            inputs["energy@" + key] = p.CumulativeEnergy;
            inputs["iterations@" + key] = (double)(context.Epochs - context.Epoch) * ((context.EpochSize + p.BatchSize - 1) / p.BatchSize);
            if (context.Throughput.Estimate(p.BatchSize) is { } speed && p.Seconds is { } seconds)
            {
                inputs["secondsPerSample@" + key] = speed.SecondsPerSample;
                inputs["throughputBasis@" + key] = (double)speed.Basis;
                inputs["seconds@" + key] = seconds;
            }
        }

        foreach (LawOption o in choice.Options)
        {
            string key = o.BatchSize.ToString(CultureInfo.InvariantCulture);
            if (o.Gain is { } gain)
            {
                inputs["gain@" + key] = gain;
            }

            inputs["required@" + key] = o.Required;
        }

        return inputs;
    }
}
