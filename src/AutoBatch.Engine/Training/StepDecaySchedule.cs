namespace AutoBatch.Engine.Training;

/// <summary>
/// The paper's learning-rate policy (Sec. 4): the base rate, multiplied by <see cref="Factor"/> from the epoch at
/// 50% and again from the epoch at 75% of training (epochs 21 and 31 of 40, 1-based).
/// </summary>
public sealed record StepDecaySchedule
{
    /// <summary>Creates the schedule; milestones are fractions of the epochs in (0, 1], ascending.</summary>
    public StepDecaySchedule(double baseLearningRate, int epochs, double factor = 0.1, params double[] milestones)
    {
        if (!double.IsFinite(baseLearningRate) || baseLearningRate <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(baseLearningRate), baseLearningRate, "The learning rate must be a finite number > 0.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(epochs, 1);
        if (!(factor > 0 && factor <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(factor), factor, "The decay factor must be in (0, 1].");
        }

        double[] m = milestones.Length == 0 ? [0.5, 0.75] : milestones;
        if (m.Any(f => !(f > 0 && f <= 1)) || m.Zip(m.Skip(1)).Any(p => p.Second < p.First))
        {
            throw new ArgumentOutOfRangeException(nameof(milestones), "Milestones must be ascending fractions in (0, 1].");
        }

        BaseLearningRate = baseLearningRate;
        Epochs = epochs;
        Factor = factor;
        MilestoneEpochs = m.Select(f => (int)Math.Ceiling(f * epochs - 1e-9)).ToArray();
    }

    /// <summary>α at epoch 0.</summary>
    public double BaseLearningRate { get; }

    /// <summary>Total epochs.</summary>
    public int Epochs { get; }

    /// <summary>Multiplier applied at each milestone.</summary>
    public double Factor { get; }

    /// <summary>0-based epochs from which each decay applies.</summary>
    public IReadOnlyList<int> MilestoneEpochs { get; }

    /// <summary>Number of decays applied by 0-based <paramref name="epoch"/> (the LR phase, 0..milestones).</summary>
    public int PhaseAt(int epoch) => MilestoneEpochs.Count(m => epoch >= m);

    /// <summary>α for a 0-based epoch.</summary>
    public double LearningRateAt(int epoch) => BaseLearningRate * Math.Pow(Factor, PhaseAt(epoch));
}
