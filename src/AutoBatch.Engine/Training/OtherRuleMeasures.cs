using System.Text.Json.Serialization;
using AutoBatch.Engine.Probe;

namespace AutoBatch.Engine.Training;

/// <summary>
/// An epoch's rank-dependent measures under the rank rule the run did not train by, from the same probes
/// (<see cref="ProbeSettings.BothRankRules"/>): what the epoch record would hold under <paramref name="Rule"/>.
/// </summary>
/// <param name="Rule">The other rank rule.</param>
/// <param name="CumulativeCondition">C̄_K under it.</param>
/// <param name="EpochCondition">The epoch's mean c_k under it.</param>
/// <param name="MeanRank">The epoch's mean rank under it.</param>
public sealed record OtherRuleMeasures(
    RankRule Rule, [property: JsonPropertyName("conditionMean")] double CumulativeCondition, double EpochCondition, double MeanRank);
