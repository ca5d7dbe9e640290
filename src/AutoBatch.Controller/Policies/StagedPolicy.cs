using System.Globalization;

namespace AutoBatch.Controller.Policies;

/// <summary>
/// Five-stage dynamic sampling (paper, Sec. 4.3). <c>-∅</c>: training is split into five equal stages by the fraction
/// of all samples seen. <c>-MS</c>: the same five stages are run again within each learning-rate phase, split by the
/// fraction of that phase's samples. Stage boundaries may fall inside an epoch: the batch size may change at any step
/// (docs/DESIGN.md, 'Training protocol').
/// </summary>
public sealed class StagedPolicy : IBatchPolicy
{
    private readonly int[] _sequence;

    /// <summary>Creates the policy from a sequence of <see cref="StageSequence.Stages"/> batch sizes.</summary>
    public StagedPolicy(string name, IReadOnlyList<int> sequence, bool multiStage)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(sequence);
        if (sequence.Count != StageSequence.Stages || sequence.Any(b => b < 1))
        {
            throw new ArgumentException($"A five-stage schedule needs {StageSequence.Stages} batch sizes >= 1.", nameof(sequence));
        }

        _sequence = sequence.ToArray();
        MultiStage = multiStage;
        Name = name + (multiStage ? "-MS" : "-∅");
    }

    /// <summary>The paper's named schedule, e.g. <c>s32-to-512</c>.</summary>
    public static StagedPolicy FromName(string name, bool multiStage)
    {
        ArgumentNullException.ThrowIfNull(name);
        return new(name.Trim(), StageSequence.Parse(name), multiStage);
    }

    /// <summary>True for -MS.</summary>
    public bool MultiStage { get; }

    /// <summary>The five batch sizes.</summary>
    public IReadOnlyList<int> Sequence => _sequence;

    /// <inheritdoc/>
    public string Name { get; }

    /// <summary>The 0-based stage at a fraction in [0, 1] (of training, or of the phase for -MS).</summary>
    public static int StageAt(double fraction) => Math.Clamp((int)Math.Floor(fraction * StageSequence.Stages + 1e-9), 0, StageSequence.Stages - 1);

    /// <inheritdoc/>
    public BatchDecision Decide(PolicyContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        double fraction = MultiStage ? context.PhaseFraction : context.Fraction;
        int stage = StageAt(fraction);
        int batch = _sequence[stage];
        string reason = MultiStage
            ? string.Create(CultureInfo.InvariantCulture, $"stage {stage + 1}/5 of LR phase {context.Phase + 1}/{context.Phases} (phase {fraction:P0} done): B = {batch}")
            : string.Create(CultureInfo.InvariantCulture, $"stage {stage + 1}/5 ({fraction:P0} of training done): B = {batch}");
        return new BatchDecision(batch, reason, Evaluated: batch != context.BatchSize)
        {
            Inputs = new Dictionary<string, double> { ["stage"] = stage + 1, ["fraction"] = fraction },
        };
    }
}
