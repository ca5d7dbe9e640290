using System.ComponentModel.DataAnnotations;
using AutoBatch.Controller.Hosting;
using AutoBatch.Controller.Policies;
using AutoBatch.Engine.Data;
using AutoBatch.Engine.Probe;

namespace AutoBatch.Controller.Verbs.Run;

/// <summary>
/// Options of the <c>run</c> verb (section <c>Run</c>; command-line flags override): a run under a schedule, by
/// default the closed-loop controller steered by the prebuilt Fashion-MNIST MLP map. Unset model, data, epochs,
/// probe interval, training subset, batch size and α are taken from the map (its grid and its best beacon).
/// </summary>
/// <remarks>
/// The single declaration of the verb's options: each property's <see cref="FlagAttribute"/> (flag, help),
/// <see cref="FlagRangeAttribute"/> and initial value are read by <see cref="OptionRecord"/> and <see cref="VerbOptions"/> for
/// the command line, its configuration keys (the property names), the help defaults, the range messages and the
/// arguments of a child <c>run</c> process. Adding an option is adding a property here.
/// </remarks>
public sealed class RunOptions
{
    /// <summary>Configuration section.</summary>
    public const string SectionName = "Run";

    /// <summary>Default map, relative to the working folder (the repository root in the README's command).</summary>
    public const string DefaultMap = "beacon-data/fashion-mnist-mlp.json";

    /// <summary>Beacon map (default <see cref="DefaultMapPath"/>); required for closed-loop and best.</summary>
    [Flag("--map", "Beacon map (default " + DefaultMap + ")")]
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
    [Flag("--schedule", "closed-loop (default), noise-scale, best, sB (fixed), sA-to-B, sA-to-B-MS", Alias = "-s")]
    [Required]
    public string Schedule { get; set; } = "closed-loop";

    /// <summary>Model spec (default: the map's).</summary>
    [Flag("--model", "Model (default: the map's)", Alias = "-m")]
    public string? Model { get; set; }

    /// <summary>Data set (default: the map's).</summary>
    [Flag("--data", "Data set (default: the map's)")]
    public DataSetKind? Data { get; set; }

    /// <summary>Folder with the data files (default: the Debian Fashion-MNIST folder).</summary>
    [Flag("--data-path", "Folder with the data files (default /usr/share/datasets/fashion-mnist)")]
    public string? DataPath { get; set; }

    /// <summary>Training subset size (default: the map's grid's).</summary>
    [Flag("--train-subset", "Train on a fixed random subset (default: the map's grid's)")]
    [FlagRange(1, int.MaxValue)]
    public int? TrainSubset { get; set; }

    /// <summary>Epochs (default: the map's).</summary>
    [Flag("--epochs", "Epochs (default: the map's)", Alias = "-e")]
    [FlagRange(1, 100000)]
    public int? Epochs { get; set; }

    /// <summary>Probe interval (default: the map's).</summary>
    [Flag("--probe-interval", "Probe interval (default: the map's)")]
    [FlagRange(0, 1000000)]
    public int? ProbeInterval { get; set; }

    /// <summary>Which eigenvalues of F̃ count in c_k (default: the map's rule, tolerance without a map).</summary>
    [Flag("--rank-rule", "Which eigenvalues of F̃ count in c_k: Tolerance or Reference (default: the map's; Tolerance without one)")]
    public RankRule? RankRule { get; set; }

    /// <summary>Apply both rank rules at every probe and record the other rule's measures too (default false).</summary>
    [Flag("--both-rank-rules", "Apply both rank rules at every probe and record the other rule's measures too")]
    public bool BothRankRules { get; set; }

    /// <summary>
    /// Build and analyse F̃ on a second thread while training goes on (same readings, bit for bit). Default (null):
    /// on when <see cref="Threads"/> is below the machine's core count, where that thread has a core to itself.
    /// </summary>
    [Flag("--probe-background", "Measure F̃ on a second thread while training goes on (default: true unless --threads exceeds the core count)")]
    public bool? ProbeBackground { get; set; }

    /// <summary>Initial batch size (default: the schedule's first, or the map's best beacon's).</summary>
    [Flag("--batch-size", "Initial batch size (default: the schedule's, or the map's best beacon's)", Alias = "-b")]
    [FlagRange(1, 1 << 20)]
    public int? BatchSize { get; set; }

    /// <summary>Initial α (default: the map's best beacon's).</summary>
    [Flag("--lr", "Initial learning rate (default: the map's best beacon's)")]
    [FlagRange(1e-12, 1e6)]
    public double? LearningRate { get; set; }

    /// <summary>α on a batch-size change: Keep (default), Linear, SquareRoot.</summary>
    [Flag("--lr-rule", "α on a batch change: Keep (default), Linear, SquareRoot")]
    public LearningRateRule LearningRateRule { get; set; } = LearningRateRule.Keep;

    /// <summary>Smallest batch size an adaptive policy may choose (default 16).</summary>
    [Flag("--min-batch-size", "Smallest batch size for adaptive policies")]
    [FlagRange(1, 1 << 20)]
    public int MinBatchSize { get; set; } = 16;

    /// <summary>Largest batch size an adaptive policy may choose (default 512).</summary>
    [Flag("--max-batch-size", "Largest batch size for adaptive policies")]
    [FlagRange(1, 1 << 20)]
    public int MaxBatchSize { get; set; } = 512;

    /// <summary>Epochs between two changes (default 1).</summary>
    [Flag("--dwell", "Epochs between two batch-size changes")]
    [FlagRange(0, 1000)]
    public int DwellEpochs { get; set; } = 1;

    /// <summary>Let adaptive policies change B in the last learning-rate phase (default false).</summary>
    [Flag("--allow-last-phase-changes", "Let adaptive policies change B in the last LR phase")]
    public bool AllowLastPhaseChanges { get; set; }

    /// <summary>Closed loop: error tolerance δ as a fraction (default: the map's seed-to-seed std, at least 0.001).</summary>
    [Flag("--error-tolerance", "Closed loop: error tolerance δ as a fraction (default: the map's seed std)")]
    [FlagRange(0.0, 0.5)]
    public double? ErrorTolerance { get; set; }

    /// <summary>Seed (default 1).</summary>
    [Flag("--seed", "Seed")]
    public long Seed { get; set; } = 1;

    /// <summary>libtorch threads (default 1).</summary>
    [Flag("--threads", "libtorch threads")]
    [FlagRange(1, 1024)]
    public int Threads { get; set; } = AutoBatch.Engine.Runtime.EngineRuntime.DefaultThreads;

    /// <summary>
    /// Where the tensors live: <c>cpu</c> (default), or <c>cuda</c> / <c>cuda:N</c> on the TorchSharp engine when
    /// <c>torch.cuda.is_available()</c> (docs/TORCHSHARP.md, 'Devices'); refused otherwise, naming the flag.
    /// </summary>
    [Flag("--device", "Device: cpu or cuda[:N] (cuda needs the TorchSharp engine and a CUDA LibTorch)")]
    public string Device { get; set; } = AutoBatch.Engine.Runtime.EngineDevices.Cpu;

    /// <summary>Output folder (default runs/run).</summary>
    [Flag("--output", "Output folder", Alias = "-o")]
    [Required]
    public string Output { get; set; } = "runs/run";

    /// <summary>Checkpoint every N epochs (default 1).</summary>
    [Flag("--checkpoint-every", "Checkpoint every N epochs")]
    [FlagRange(0, 100000)]
    public int CheckpointEvery { get; set; } = 1;

    /// <summary>Continue from the output folder's checkpoint.</summary>
    [Flag("--resume", "Continue from the output folder's checkpoint, if any")]
    public bool Resume { get; set; }

    /// <summary>Roll back and halve α on divergence (default: on for closed-loop and noise-scale, off for fixed schedules).</summary>
    [Flag("--rollback", "Roll back and halve α on divergence (default: on for adaptive policies)")]
    public bool? Rollback { get; set; }

    /// <summary>Exit when the process with this id ends (compare runners).</summary>
    [Flag("--exit-with-parent", Hidden = true)]
    public int? ExitWithParent { get; set; }
}
