using AutoBatch.Engine.Training;

namespace AutoBatch.Controller.Policies;

/// <summary>
/// Everything a policy may look at before a step: where training stands, the batch size in use, how long it has been
/// in use, and the live measures. Immutable; built by <see cref="PolicyPlanner"/>.
/// </summary>
public sealed record PolicyContext
{
    /// <summary>0-based epoch the next step belongs to.</summary>
    public required int Epoch { get; init; }

    /// <summary>Epochs of the run.</summary>
    public required int Epochs { get; init; }

    /// <summary>1-based step within the epoch (1 = the epoch boundary, where epoch-level policies decide).</summary>
    public required int IterationInEpoch { get; init; }

    /// <summary>Fraction of all training done, in [0, 1].</summary>
    public required double Fraction { get; init; }

    /// <summary>0-based learning-rate phase (number of decays applied).</summary>
    public required int Phase { get; init; }

    /// <summary>Learning-rate phases of the run (decays + 1).</summary>
    public required int Phases { get; init; }

    /// <summary>Fraction of the current learning-rate phase done, in [0, 1).</summary>
    public required double PhaseFraction { get; init; }

    /// <summary>Batch size in use.</summary>
    public required int BatchSize { get; init; }

    /// <summary>Completed epochs since the batch size last changed (or since the start).</summary>
    public required int EpochsSinceChange { get; init; }

    /// <summary>Training samples per epoch.</summary>
    public required int EpochSize { get; init; }

    /// <summary>Probe interval in iterations (0 = no probe).</summary>
    public required int ProbeInterval { get; init; }

    /// <summary>Valid probe measurements since the start.</summary>
    public required long Measurements { get; init; }

    /// <summary>C̄_K so far (0 before the first measurement).</summary>
    public required double CumulativeCondition { get; init; }

    /// <summary>L_K so far (0 before the first measurement).</summary>
    public required double CumulativeEnergy { get; init; }

    /// <summary>α the schedule gives the current phase before any batch-size scaling.</summary>
    public required double ScheduledLearningRate { get; init; }

    /// <summary>The run's initial α (the map's beacons are indexed by it).</summary>
    public required double BaseLearningRate { get; init; }

    /// <summary>How α follows a batch-size change.</summary>
    public LearningRateRule Rule { get; init; }

    /// <summary>The batch size α was chosen for (the run's initial batch size).</summary>
    public required int ReferenceBatchSize { get; init; }

    /// <summary>The last completed epoch's record, or null in the first epoch.</summary>
    public EpochRecord? LastEpoch { get; init; }

    /// <summary>The last batch-size change, or null when there was none (or the run resumed a checkpoint from before it was kept).</summary>
    public BatchChange? LastChange { get; init; }

    /// <summary>
    /// The run's own seconds per sample by batch size, measured on this machine over its completed epochs (empty
    /// before the first, and for a policy that has not been told).
    /// </summary>
    public ThroughputModel Throughput { get; init; } = ThroughputModel.Empty;

    /// <summary>True at an epoch boundary after at least one completed epoch.</summary>
    public bool AtEpochBoundary => IterationInEpoch == 1 && LastEpoch is not null;

    /// <summary>True in the last learning-rate phase.</summary>
    public bool InLastPhase => Phase >= Phases - 1;
}
