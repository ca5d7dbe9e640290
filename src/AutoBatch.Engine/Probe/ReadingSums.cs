namespace AutoBatch.Engine.Probe;

/// <summary>
/// Sums over valid probe readings (status Ok) of the measures that are averaged over readings: c_k, l_k, the rank,
/// B_simple and, when the probe applied both rank rules, the other rule's c_k and rank; and their means. The one place
/// those sums and means are formed: an epoch record's means (the trainer keeps one per epoch) and the readings part of
/// <see cref="FisherAccumulator"/>'s C̄_K and L_K. Mutable.
/// </summary>
public sealed class ReadingSums
{
    /// <summary>Valid readings added.</summary>
    public long Count { get; private set; }

    /// <summary>Σ c_k.</summary>
    public double ConditionSum { get; private set; }

    /// <summary>Σ l_k.</summary>
    public double EnergySum { get; private set; }

    /// <summary>Σ rank.</summary>
    public double RankSum { get; private set; }

    /// <summary>Σ B_simple.</summary>
    public double NoiseScaleSum { get; private set; }

    /// <summary>Σ c_k under the other rank rule (a reading without it adds 0).</summary>
    public double OtherConditionSum { get; private set; }

    /// <summary>Σ rank under the other rank rule (a reading without it adds 0).</summary>
    public double OtherRankSum { get; private set; }

    /// <summary>Mean c_k (0 without readings).</summary>
    public double MeanStepCondition => Mean(ConditionSum);

    /// <summary>Mean l_k (0 without readings).</summary>
    public double MeanStepEnergy => Mean(EnergySum);

    /// <summary>Mean rank (0 without readings).</summary>
    public double MeanRank => Mean(RankSum);

    /// <summary>Mean B_simple (0 without readings).</summary>
    public double MeanNoiseScale => Mean(NoiseScaleSum);

    /// <summary>Mean c_k under the other rank rule (0 without readings).</summary>
    public double MeanOtherStepCondition => Mean(OtherConditionSum);

    /// <summary>Mean rank under the other rank rule (0 without readings).</summary>
    public double MeanOtherRank => Mean(OtherRankSum);

    /// <summary>Adds <paramref name="reading"/> when it is valid; returns whether it was.</summary>
    public bool Add(ProbeReading reading)
    {
        ArgumentNullException.ThrowIfNull(reading);
        if (reading.Status != ProbeStatus.Ok)
        {
            return false;
        }

        Count++;
        ConditionSum += reading.StepCondition;
        EnergySum += reading.StepEnergy;
        RankSum += reading.Rank;
        NoiseScaleSum += reading.NoiseScale;
        OtherConditionSum += reading.OtherRule?.StepCondition ?? 0;
        OtherRankSum += reading.OtherRule?.Rank ?? 0;
        return true;
    }

    /// <summary>Sums as a checkpoint stored them.</summary>
    /// <exception cref="InvalidDataException"><paramref name="count"/> is negative.</exception>
    public static ReadingSums Restore(
        long count, double conditionSum, double energySum, double rankSum, double noiseScaleSum, double otherConditionSum, double otherRankSum)
    {
        if (count < 0)
        {
            throw new InvalidDataException($"The checkpoint holds {count} probe readings.");
        }

        return new ReadingSums
        {
            Count = count,
            ConditionSum = conditionSum,
            EnergySum = energySum,
            RankSum = rankSum,
            NoiseScaleSum = noiseScaleSum,
            OtherConditionSum = otherConditionSum,
            OtherRankSum = otherRankSum,
        };
    }

    private double Mean(double sum) => Count == 0 ? 0 : sum / Count;
}
