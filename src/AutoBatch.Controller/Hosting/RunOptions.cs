using System.ComponentModel.DataAnnotations;
using AutoBatch.Controller.Policies;
using AutoBatch.Engine.Data;

namespace AutoBatch.Controller.Hosting;

/// <summary>
/// Options of the <c>run</c> verb (section <c>Run</c>; command-line flags override): a run under a schedule, by
/// default the closed-loop controller steered by the prebuilt Fashion-MNIST MLP map. Unset model, data, epochs,
/// probe interval, training subset, batch size and α are taken from the map (its grid and its best beacon).
/// </summary>
public sealed class RunOptions
{
    /// <summary>Configuration section.</summary>
    public const string SectionName = "Run";

    /// <summary>Default map, relative to the working folder (the repository root in the README's command).</summary>
    public const string DefaultMap = "beacon-data/fashion-mnist-mlp.json";

    /// <summary>Beacon map (default <see cref="DefaultMapPath"/>); required for closed-loop and best.</summary>
    public string? Map { get; set; } = DefaultMapPath();

    /// <summary>
    /// <see cref="DefaultMap"/> in the working folder when it is there (a map of the user's own there wins), else the
    /// copy the build puts beside the program, so that <c>run</c> and <c>compare</c> find the prebuilt map from any
    /// folder; when neither exists, <see cref="DefaultMap"/> itself, which the validators then report as missing.
    /// </summary>
    public static string DefaultMapPath()
    {
        if (File.Exists(DefaultMap))
        {
            return DefaultMap;
        }

        string besideProgram = Path.Combine(AppContext.BaseDirectory, DefaultMap);
        return File.Exists(besideProgram) ? besideProgram : DefaultMap;
    }

    /// <summary>Schedule: closed-loop (default), noise-scale, best, sB, sA-to-B, sA-to-B-MS.</summary>
    [Required]
    public string Schedule { get; set; } = "closed-loop";

    /// <summary>Model spec (default: the map's).</summary>
    public string? Model { get; set; }

    /// <summary>Data set (default: the map's).</summary>
    public DataSetKind? Data { get; set; }

    /// <summary>Folder with the data files (default: the Debian Fashion-MNIST folder).</summary>
    public string? DataPath { get; set; }

    /// <summary>Training subset size (default: the map's grid's).</summary>
    [Range(1, int.MaxValue, ErrorMessage = "--train-subset: must be in [{1}, {2}].")]
    public int? TrainSubset { get; set; }

    /// <summary>Epochs (default: the map's).</summary>
    [Range(1, 100000, ErrorMessage = "--epochs: must be in [{1}, {2}].")]
    public int? Epochs { get; set; }

    /// <summary>Probe interval (default: the map's).</summary>
    [Range(0, 1000000, ErrorMessage = "--probe-interval: must be in [{1}, {2}].")]
    public int? ProbeInterval { get; set; }

    /// <summary>
    /// Build and analyse F̃ on a second thread while training goes on (same readings, bit for bit). Default (null):
    /// on when <see cref="Threads"/> is below the machine's core count, where that thread has a core to itself.
    /// </summary>
    public bool? ProbeBackground { get; set; }

    /// <summary>Initial batch size (default: the schedule's first, or the map's best beacon's).</summary>
    [Range(1, 1 << 20, ErrorMessage = "--batch-size: must be in [{1}, {2}].")]
    public int? BatchSize { get; set; }

    /// <summary>Initial α (default: the map's best beacon's).</summary>
    [Range(1e-12, 1e6, ErrorMessage = "--lr: must be in [{1}, {2}].")]
    public double? LearningRate { get; set; }

    /// <summary>α on a batch-size change: Keep (default), Linear, SquareRoot.</summary>
    public LearningRateRule LearningRateRule { get; set; } = LearningRateRule.Keep;

    /// <summary>Smallest batch size an adaptive policy may choose (default 16).</summary>
    [Range(1, 1 << 20, ErrorMessage = "--min-batch-size: must be in [{1}, {2}].")]
    public int MinBatchSize { get; set; } = 16;

    /// <summary>Largest batch size an adaptive policy may choose (default 512).</summary>
    [Range(1, 1 << 20, ErrorMessage = "--max-batch-size: must be in [{1}, {2}].")]
    public int MaxBatchSize { get; set; } = 512;

    /// <summary>Epochs between two changes (default 1).</summary>
    [Range(0, 1000, ErrorMessage = "--dwell: must be in [{1}, {2}].")]
    public int DwellEpochs { get; set; } = 1;

    /// <summary>Let adaptive policies change B in the last learning-rate phase (default false).</summary>
    public bool AllowLastPhaseChanges { get; set; }

    /// <summary>Closed loop: error tolerance δ as a fraction (default: the map's seed-to-seed std, at least 0.001).</summary>
    [Range(0.0, 0.5, ErrorMessage = "--error-tolerance: must be in [{1}, {2}].")]
    public double? ErrorTolerance { get; set; }

    /// <summary>Seed (default 1).</summary>
    public long Seed { get; set; } = 1;

    /// <summary>libtorch threads (default 1).</summary>
    [Range(1, 1024, ErrorMessage = "--threads: must be in [{1}, {2}].")]
    public int Threads { get; set; } = AutoBatch.Engine.Runtime.EngineRuntime.DefaultThreads;

    /// <summary>Output folder (default runs/run).</summary>
    [Required]
    public string Output { get; set; } = "runs/run";

    /// <summary>Checkpoint every N epochs (default 1).</summary>
    [Range(0, 100000, ErrorMessage = "--checkpoint-every: must be in [{1}, {2}].")]
    public int CheckpointEvery { get; set; } = 1;

    /// <summary>Continue from the output folder's checkpoint.</summary>
    public bool Resume { get; set; }

    /// <summary>Roll back and halve α on divergence (default: on for closed-loop and noise-scale, off for fixed schedules).</summary>
    public bool? Rollback { get; set; }

    /// <summary>Exit when the process with this id ends (compare runners).</summary>
    public int? ExitWithParent { get; set; }
}
