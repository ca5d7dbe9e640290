using AutoBatch.Controller.Policies;

namespace AutoBatch.Controller.Library;

/// <summary>
/// Settings of an <see cref="AutoBatchTrainer"/>. Unset batch size, learning rate, epochs and probe interval are taken
/// from the beacon map (its best beacon and its grid), as the command line's <c>run</c> does.
/// </summary>
public sealed class AutoBatchOptions
{
    /// <summary>Folder of the run's records: epochs.jsonl/.csv, decisions.jsonl, checkpoint.safetensors, summary.json. Required.</summary>
    public required string OutputFolder { get; init; }

    /// <summary>How the batch size is chosen (default <see cref="Schedule.ClosedLoop"/>, which needs <see cref="BeaconMap"/>).</summary>
    public Schedule Schedule { get; init; } = Schedule.ClosedLoop;

    /// <summary>
    /// Path of a beacon map of the same model on the same data set (written by <see cref="BeaconGrid"/>); required by
    /// the closed loop and <see cref="Schedule.Best"/>. A map of another architecture is refused.
    /// </summary>
    public string? BeaconMap { get; init; }

    /// <summary>Epochs (default: the map's).</summary>
    public int? Epochs { get; init; }

    /// <summary>Batch size of the first step (default: the schedule's; for the closed loop, its start, <see cref="Policies.ClosedLoopStart"/>; otherwise the map's best beacon's).</summary>
    public int? BatchSize { get; init; }

    /// <summary>Initial learning rate, decayed x0.1 at 50% and 75% of the epochs (default: the closed loop's start with the batch size, otherwise the map's best beacon's).</summary>
    public double? LearningRate { get; init; }

    /// <summary>How α follows a batch-size change (default <see cref="LearningRateRule.Keep"/>, as the paper).</summary>
    public LearningRateRule LearningRateRule { get; init; } = LearningRateRule.Keep;

    /// <summary>Smallest batch size the closed loop and the noise-scale schedule may choose (default 16).</summary>
    public int MinBatchSize { get; init; } = 16;

    /// <summary>Largest batch size the closed loop and the noise-scale schedule may choose (default 512).</summary>
    public int MaxBatchSize { get; init; } = 512;

    /// <summary>Probe every this many iterations of an epoch (default: the map's, else 50).</summary>
    public int? ProbeInterval { get; init; }

    /// <summary>Seed of the data order and augmentation (default 1). The module's weights are as given.</summary>
    public long Seed { get; init; } = 1;

    /// <summary>
    /// Where the tensors live: <c>cpu</c> (default) or <c>cuda</c> / <c>cuda:N</c>, refused when
    /// <c>torch.cuda.is_available()</c> is false.
    /// </summary>
    public string Device { get; init; } = "cpu";

    /// <summary>LibTorch's intra-op threads (default 1; never more than the cores the process may use).</summary>
    public int Threads { get; init; } = 1;

    /// <summary>Write a checkpoint every this many epochs (default 1; one is also written when training is cancelled).</summary>
    public int CheckpointEvery { get; init; } = 1;

    /// <summary>Continue from the output folder's checkpoint when there is one (default false: start afresh).</summary>
    public bool Resume { get; init; }
}
