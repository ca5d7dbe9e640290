using System.ComponentModel.DataAnnotations;

namespace AutoBatch.Controller.Policies;

/// <summary>
/// Guards shared by the adaptive policies (docs/DESIGN.md, 'Schedules'; semantics after TorchSharp's/PyTorch's
/// ReduceLROnPlateau: bounds, cooldown as a dwell time): the batch size stays within [<see cref="MinBatchSize"/>,
/// <see cref="MaxBatchSize"/>], does not change again until <see cref="DwellEpochs"/> epochs have passed since the
/// last change, and, when <see cref="FreezeInLastPhase"/> is set, does not change in the last learning-rate phase.
/// </summary>
public sealed record PolicyGuards
{
    /// <summary>Smallest batch size (default 16).</summary>
    [Range(1, 1 << 20)]
    public int MinBatchSize { get; init; } = 16;

    /// <summary>Largest batch size (default 512).</summary>
    [Range(1, 1 << 20)]
    public int MaxBatchSize { get; init; } = 512;

    /// <summary>Completed epochs between two changes (default 1: at most one change per epoch boundary).</summary>
    [Range(0, 1000)]
    public int DwellEpochs { get; init; } = 1;

    /// <summary>
    /// No change in the last learning-rate phase (default true): at α/100 the weights barely move, so a change there
    /// buys little and makes the final phase differ from the beacons the map was built from.
    /// </summary>
    public bool FreezeInLastPhase { get; init; } = true;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the invalid setting.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MinBatchSize, 1, nameof(MinBatchSize));
        if (MaxBatchSize < MinBatchSize)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxBatchSize), MaxBatchSize, $"MaxBatchSize must be >= MinBatchSize ({MinBatchSize}).");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(DwellEpochs, nameof(DwellEpochs));
    }

    /// <summary>Clamps <paramref name="batchSize"/> to the bounds.</summary>
    public int Clamp(int batchSize) => Math.Clamp(batchSize, MinBatchSize, MaxBatchSize);

    /// <summary>
    /// The common part of an epoch-level decision: null when the policy may decide now, otherwise the held decision
    /// with its reason (not at an epoch boundary, no measurement yet, last phase, dwell).
    /// </summary>
    public BatchDecision? Check(PolicyContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!context.AtEpochBoundary)
        {
            return BatchDecision.Hold(context.BatchSize, "between decision points (epoch boundaries)");
        }

        if (FreezeInLastPhase && context.InLastPhase)
        {
            return new BatchDecision(context.BatchSize, $"last learning-rate phase ({context.Phase + 1}/{context.Phases}): batch size frozen", Evaluated: true);
        }

        if (context.EpochsSinceChange < DwellEpochs)
        {
            return new BatchDecision(
                context.BatchSize, $"dwell: {context.EpochsSinceChange} of {DwellEpochs} epochs since the last change", Evaluated: true);
        }

        return null;
    }
}
