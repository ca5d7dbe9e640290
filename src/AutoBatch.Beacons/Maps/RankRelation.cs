namespace AutoBatch.Beacons.Maps;

/// <summary>
/// One of the paper's relations (Sec. 4.1–4.2; docs/DESIGN.md, 'What the paper reports about the measures') as rank
/// correlations over the final measures of a map's configurations: e.g. "C̄_K grows with B" is ρ(C̄_K, B) within each
/// learning rate and pooled.
/// </summary>
public sealed record RankRelation
{
    /// <summary>The measure: <c>conditionMean</c> (C̄_K) or <c>energy</c> (L_K).</summary>
    public required string Measure { get; init; }

    /// <summary>The grid factor: <c>batchSize</c> or <c>learningRate</c>.</summary>
    public required string Factor { get; init; }

    /// <summary>The sign the paper reports (+1 grows, −1 falls with the factor, 0 no claim).</summary>
    public required int PaperSign { get; init; }

    /// <summary>ρ within each value of the other factor, in ascending order of that value.</summary>
    public required IReadOnlyList<RankCorrelation> PerGroup { get; init; }

    /// <summary>ρ over all configurations (the other factor varies freely; its ties share ranks).</summary>
    public required RankCorrelation Pooled { get; init; }
}
