using AutoBatch.Engine.Probe;

namespace AutoBatch.Engine.Training;

/// <summary>
/// Everything a <see cref="Trainer"/> needs, besides the network's tensors, to continue exactly where it stopped:
/// epoch, generator states, cumulative measures and, when it stopped inside an epoch, that epoch's progress.
/// </summary>
/// <param name="Epochs">Epochs of the run (checked on restore: a checkpoint of a 10-epoch run is not a 15-epoch run).</param>
/// <param name="Seed">Seed of the run (checked on restore).</param>
/// <param name="Epoch">Completed epochs.</param>
/// <param name="Diverged">True once a step diverged.</param>
/// <param name="OrderRng">State of the data-order generator.</param>
/// <param name="AugmentRng">State of the augmentation generator.</param>
/// <param name="Measures">The cumulative Fisher measures.</param>
/// <param name="InProgress">The unfinished epoch, or null at an epoch boundary.</param>
public sealed record TrainerState(
    int Epochs,
    long Seed,
    int Epoch,
    bool Diverged,
    GeneratorState OrderRng,
    GeneratorState AugmentRng,
    FisherAccumulatorState Measures,
    EpochProgressState? InProgress);
