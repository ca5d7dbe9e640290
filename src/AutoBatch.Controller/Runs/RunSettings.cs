using AutoBatch.Controller.Policies;
using AutoBatch.Engine.Data;
using AutoBatch.Engine.Probe;

namespace AutoBatch.Controller.Runs;

/// <summary>Everything a <see cref="RunSession"/> needs besides its policy: model, data, schedule, outputs, reliability.</summary>
public sealed record RunSettings
{
    /// <summary>Model spec (see ModelSpec.Parse).</summary>
    public required string Model { get; init; }

    /// <summary>Data set kind.</summary>
    public required DataSetKind Data { get; init; }

    /// <summary>Folder of the data files; null = the Debian Fashion-MNIST folder.</summary>
    public string? DataPath { get; init; }

    /// <summary>Train on a fixed random subset of this many images (null = all).</summary>
    public int? TrainSubset { get; init; }

    /// <summary>No augmentation even for convolutional models.</summary>
    public bool NoAugmentation { get; init; }

    /// <summary>Batch size of the first step (and the learning-rate rule's reference).</summary>
    public required int BatchSize { get; init; }

    /// <summary>Initial α, decayed x0.1 at 50% and 75% of the epochs.</summary>
    public required double LearningRate { get; init; }

    /// <summary>How α follows a batch-size change.</summary>
    public LearningRateRule Rule { get; init; }

    /// <summary>Epochs.</summary>
    public required int Epochs { get; init; }

    /// <summary>Seed of weights, data order and augmentation.</summary>
    public required long Seed { get; init; }

    /// <summary>libtorch threads.</summary>
    public required int Threads { get; init; }

    /// <summary>
    /// Where the tensors live (<c>cpu</c>, <c>cuda</c>, <c>cuda:N</c>), as <c>EngineDevices.Check</c> accepted it.
    /// Like the threads, not part of the run's identity (docs/RELIABILITY.md): it changes the last bits, not what is computed.
    /// </summary>
    public string Device { get; init; } = AutoBatch.Engine.Runtime.EngineDevices.Cpu;

    /// <summary>Probe interval (0 = off).</summary>
    public required int ProbeInterval { get; init; }

    /// <summary>The probe's rank rule (default tolerance); a map's runs and a run steered by it must share it.</summary>
    public RankRule RankRule { get; init; }

    /// <summary>Apply both rank rules at every probe, recording the other rule's measures too (default false).</summary>
    public bool BothRankRules { get; init; }

    /// <summary>Probe on a second thread (null: unless <see cref="Threads"/> exceeds the core count).</summary>
    public bool? ProbeBackground { get; init; }

    /// <summary>
    /// Whether the probe runs in the background, the default resolved: also when the training threads take every
    /// core, where the probe's thread competes with them and still cost less than making the step wait for it where
    /// the probe is expensive (measured on 2 cores with 2 threads: bench/results/HISTORY.md, section 2''''''). Not
    /// measured with more threads than cores.
    /// </summary>
    public bool ProbeInBackground => ProbeBackground ?? Threads <= Environment.ProcessorCount;

    /// <summary>Output folder (epochs.jsonl/.csv, decisions.jsonl, checkpoint.safetensors, summary.json).</summary>
    public required string Output { get; init; }

    /// <summary>Checkpoint every this many epochs (0 = only on a graceful stop and for rollbacks).</summary>
    public int CheckpointEvery { get; init; } = 1;

    /// <summary>Continue from the output folder's checkpoint when there is one.</summary>
    public bool Resume { get; init; }

    /// <summary>
    /// On a non-finite step, roll back to the last checkpoint and cut α by <see cref="DivergenceCut"/> instead of
    /// ending the run as diverged (at most <see cref="MaxRollbacks"/> times).
    /// </summary>
    public bool RollbackOnDivergence { get; init; }

    /// <summary>α multiplier after a divergence (default 0.5).</summary>
    public double DivergenceCut { get; init; } = 0.5;

    /// <summary>Rollbacks allowed before the run is recorded as diverged (default 3).</summary>
    public int MaxRollbacks { get; init; } = 3;

    /// <summary>Path of the beacon map the run is steered or compared with, if any.</summary>
    public string? MapPath { get; init; }

    /// <summary>Why the run starts at its batch size and α, when a policy chose them (the closed loop); null otherwise.</summary>
    public string? StartReason { get; init; }

    /// <summary>The command line that started the run (stored in checkpoints and the summary).</summary>
    public string? Command { get; init; }

    /// <summary>
    /// How the run's user names a setting (given its property name here) in a message: the command line's verbs name
    /// their flags (<see cref="Hosting.OptionRecord.Vocabulary"/>), the library its options' properties. Default: the
    /// property names of this record.
    /// </summary>
    public Func<string, string> NameOf { get; init; } = static setting => setting;

    /// <summary>
    /// How long to wait for another process to release the output folder before refusing (default zero: at once). A
    /// grid's or comparison's child waits, since the holder can be an orphan of a killed parent that stops within
    /// seconds.
    /// </summary>
    public TimeSpan OutputLockWait { get; init; }

    /// <summary>What a child of a grid or comparison waits for its run folder (<see cref="OutputLockWait"/>).</summary>
    public static TimeSpan ChildLockWait { get; } = TimeSpan.FromSeconds(30);
}
