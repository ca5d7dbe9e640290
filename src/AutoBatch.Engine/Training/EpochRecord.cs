using System.Text.Json.Serialization;
using AutoBatch.Engine.Probe;

namespace AutoBatch.Engine.Training;

/// <summary>Everything recorded about one epoch (docs/DESIGN.md). Errors are fractions in [0, 1].</summary>
public sealed record EpochRecord
{
    /// <summary>1-based epoch.</summary>
    public required int Epoch { get; init; }

    /// <summary>Steps in this epoch.</summary>
    public required int Iterations { get; init; }

    /// <summary>Steps since the start of training.</summary>
    public required long TotalIterations { get; init; }

    /// <summary>Mean batch size of the epoch's steps.</summary>
    public required double MeanBatchSize { get; init; }

    /// <summary>Batch size of the last full step of the epoch.</summary>
    public required int BatchSize { get; init; }

    /// <summary>Learning rate of the epoch's last step.</summary>
    public required double LearningRate { get; init; }

    /// <summary>Mean of the per-step training losses (each measured before its update, on augmented data).</summary>
    public required double TrainLoss { get; init; }

    /// <summary>Training error over the epoch, measured like <see cref="TrainLoss"/>.</summary>
    public required double TrainError { get; init; }

    /// <summary>Test loss after the epoch.</summary>
    public required double TestLoss { get; init; }

    /// <summary>Test error after the epoch.</summary>
    public required double TestError { get; init; }

    /// <summary>C̄_K at the end of the epoch.</summary>
    [JsonPropertyName("conditionMean")]
    public required double CumulativeCondition { get; init; }

    /// <summary>L_K at the end of the epoch.</summary>
    [JsonPropertyName("energy")]
    public required double CumulativeEnergy { get; init; }

    /// <summary>Mean c_k of this epoch's measurements (0 when none).</summary>
    public required double EpochCondition { get; init; }

    /// <summary>Mean l_k of this epoch's measurements (0 when none).</summary>
    public required double EpochEnergy { get; init; }

    /// <summary>Mean numerical rank of this epoch's measurements.</summary>
    public required double MeanRank { get; init; }

    /// <summary>
    /// Mean gradient noise scale B_simple of this epoch's measurements (0 when none). B_simple of a single sample is
    /// undefined (tr Σ divides by B − 1) and counts as 0: an epoch at B = 1 reports 0, as does, in the mean, a partial
    /// last batch of one sample that happens to be probed. The <c>measure</c> verb prints null for it.
    /// </summary>
    public required double NoiseScale { get; init; }

    /// <summary>Valid measurements in this epoch.</summary>
    public required int Measurements { get; init; }

    /// <summary>Wall seconds in training steps (probe included).</summary>
    public required double TrainSeconds { get; init; }

    /// <summary>
    /// Seconds of probe work: fused conv layers' per-sample gradients in the backward (their weight gradient included,
    /// see <see cref="Probe.ProbeReading.RowsSeconds"/>), the Gram and the eigenvalues. Part of
    /// <see cref="TrainSeconds"/> for a synchronous probe; a background probe's Gram and eigenvalues overlap the steps.
    /// </summary>
    public required double ProbeSeconds { get; init; }

    /// <summary>
    /// CPU seconds the process spent over the same span as <see cref="TrainSeconds"/>, every thread counted (the
    /// background probe's too): unlike wall time, hardly moved by other processes on the machine (0 in records written
    /// before it was recorded).
    /// </summary>
    public double TrainCpuSeconds { get; init; }

    /// <summary>Wall seconds of the test evaluation.</summary>
    public required double EvalSeconds { get; init; }

    /// <summary>True when a non-finite loss or gradient ended the run in this epoch.</summary>
    public required bool Diverged { get; init; }

    /// <summary>
    /// The rank rule <see cref="CumulativeCondition"/>, <see cref="EpochCondition"/> and <see cref="MeanRank"/> were measured
    /// under (absent, so tolerance, in records written before the rule was an option).
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public RankRule RankRule { get; init; }

    /// <summary>The same measures under the other rank rule, when the run's probe applied both; null otherwise.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public OtherRuleMeasures? OtherRule { get; init; }

    /// <summary>
    /// This record as it reads under <paramref name="rule"/>: itself, or with the rank-dependent measures swapped for
    /// those of <see cref="OtherRule"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">The record holds no measures under <paramref name="rule"/>.</exception>
    public EpochRecord UnderRule(RankRule rule)
    {
        if (rule == RankRule)
        {
            return this;
        }

        OtherRuleMeasures other = OtherRule is { } o && o.Rule == rule
            ? o
            : throw new InvalidOperationException($"Epoch {Epoch} was measured under the {RankRule} rank rule only, not under {rule}.");
        return this with
        {
            RankRule = rule,
            CumulativeCondition = other.CumulativeCondition,
            EpochCondition = other.EpochCondition,
            MeanRank = other.MeanRank,
            OtherRule = new OtherRuleMeasures(RankRule, CumulativeCondition, EpochCondition, MeanRank),
        };
    }
}
