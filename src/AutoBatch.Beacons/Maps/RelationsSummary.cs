using System.Globalization;
using System.Text;

namespace AutoBatch.Beacons.Maps;

/// <summary>A short plain-text account of a map's <see cref="MapRelations"/>, printed by <c>merge</c> and <c>beacons</c>.</summary>
public static class RelationsSummary
{
    /// <summary>
    /// The summary: one line per relation (pooled ρ, then ρ per group with its size), the top-set clustering, the
    /// ordering stability per epoch fraction, and the collapsed and diverged runs. A map without relations (written
    /// before they were computed) says so in one line.
    /// </summary>
    public static string Format(BeaconMap map)
    {
        ArgumentNullException.ThrowIfNull(map);
        var text = new StringBuilder();
        DerivedData d = map.Derived;
        if (d.Relations is not { } r)
        {
            return "This map has no relations (written before they were computed); rebuild it with `autobatch merge`." + Environment.NewLine;
        }

        Line(text, $"Relations over {d.Configurations} configurations at the final epoch (Spearman ρ; n = configurations; paper's sign in brackets):");
        Relation(text, "C̄_K vs B", "α", r.ConditionWithBatchSize);
        Relation(text, "C̄_K vs α", "B", r.ConditionWithLearningRate);
        Relation(text, "L_K vs α", "B", r.EnergyWithLearningRate);
        Relation(text, "L_K vs B", "α", r.EnergyWithBatchSize);
        if (r.TopClustering is { } t)
        {
            Line(text, $"Top {t.Count} ({string.Join(", ", t.Labels)}): mean pair distance {F(t.TopSpread)} vs {F(t.AllSpread)} over all (ratio {F(t.SpreadRatio)}); " +
                $"{F(100 * t.TighterSubsetFraction)}% of {t.SubsetsCompared} {(t.Exact ? string.Empty : "sampled ")}{t.Count}-subsets are as tight; " +
                $"{(t.GridComponents == 1 ? "one contiguous patch" : $"{t.GridComponents} separate patches")} in the grid");
        }

        foreach (OrderingStability s in r.Stability)
        {
            Line(text, $"Ordering at {F(100 * s.Fraction)}% (epoch {s.Epoch}) vs final, n = {s.Configurations}: predicted error ρ {R(s.PredictedError)}, " +
                $"test error ρ {R(s.CurrentError)}, C̄_K ρ {R(s.Condition)}, L_K ρ {R(s.Energy)}");
        }

        if (d.CollapseThreshold is { } threshold)
        {
            Line(text, $"Collapsed (no NaN, final test error ≥ {F(100 * threshold)}%): {(d.CollapsedRuns.Count == 0 ? "none" : string.Join(", ", d.CollapsedRuns))}");
        }

        Line(text, $"Diverged (non-finite loss): {d.DivergedRuns.Count} of {map.Runs.Count} runs");
        return text.ToString();
    }

    private static void Relation(StringBuilder text, string name, string group, RankRelation relation)
    {
        string sign = relation.PaperSign switch { > 0 => "+", < 0 => "−", _ => "no claim" };
        string groups = string.Join(", ", relation.PerGroup.Select(g => $"{F(g.FixedAt ?? 0)}: {R(g.Spearman)} ({g.Configurations})"));
        Line(text, $"  {name} [{sign}]: pooled {R(relation.Pooled.Spearman)} (n = {relation.Pooled.Configurations}); per {group}: {groups}");
    }

    private static void Line(StringBuilder text, string line) => text.Append(line).Append(Environment.NewLine);

    private static string F(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);

    private static string R(double? rho) => rho is { } v ? v.ToString("+0.00;−0.00;0.00", CultureInfo.InvariantCulture) : "n/a";
}
