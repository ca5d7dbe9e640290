using AutoBatch.Controller.Hosting;
using AutoBatch.Controller.Policies;
using AutoBatch.Controller.Verbs.Run;

namespace AutoBatch.Controller.Verbs.Compare;

/// <summary>
/// Options of the <c>compare</c> verb (section <c>Compare</c>; command-line flags override): every schedule x seed as a
/// child <c>run</c>, several at once, resumable, then the report (docs/DESIGN.md, 'Comparison').
/// </summary>
/// <remarks>
/// The single declaration of the verb's options, as <see cref="RunOptions"/> is for <c>run</c>: flags, help, ranges
/// and defaults are read from here for the command line and its configuration keys.
/// </remarks>
public sealed class CompareOptions
{
    /// <summary>Configuration section.</summary>
    public const string SectionName = "Compare";

    /// <summary>Default schedules: the paper's and ours (best fixed beacon, five-stage -∅ and -MS, noise scale, closed loop).</summary>
    public const string DefaultSchedules = "best,s32-to-512,s32-to-512-MS,s16-to-64-MS,noise-scale,closed-loop";

    /// <summary>Beacon map the runs are steered by and compared with (default <see cref="RunOptions.DefaultMapPath"/>).</summary>
    [Flag("--map", "Beacon map (default " + RunOptions.DefaultMap + ")")]
    [FlagRequired("give the beacon map.")]
    public string Map { get; set; } = RunOptions.DefaultMapPath();

    /// <summary>Comma-separated schedules (default <see cref="DefaultSchedules"/>).</summary>
    [Flag("--schedules", "Comma-separated schedules (default " + DefaultSchedules + ")")]
    [FlagRequired("give at least one schedule.")]
    public string Schedules { get; set; } = DefaultSchedules;

    /// <summary>Comma-separated seeds (default 1,2,3).</summary>
    [Flag("--seeds", "Comma-separated seeds (default 1,2,3)")]
    [FlagRequired("give at least one seed.")]
    public string Seeds { get; set; } = "1,2,3";

    /// <summary>Runs at once (default 2).</summary>
    [Flag("--parallel", "Runs at once (default 2)")]
    [FlagRange(1, 1024)]
    public int Parallel { get; set; } = 2;

    /// <summary>libtorch threads per run (default 1).</summary>
    [Flag("--threads-per-run", "libtorch threads per run (default 1)")]
    [FlagRange(1, 1024)]
    public int ThreadsPerRun { get; set; } = 1;

    /// <summary>Where every run's tensors live: <c>cpu</c> (default) or <c>cuda</c> / <c>cuda:N</c> (docs/TORCHSHARP.md, 'Devices').</summary>
    [Flag("--device", "Device of every run: cpu or cuda[:N] (cuda needs the TorchSharp engine and a CUDA LibTorch)")]
    public string Device { get; set; } = AutoBatch.Engine.Runtime.EngineDevices.Cpu;

    /// <summary>Comparison folder (default runs/compare); rerun with the same options to resume.</summary>
    [Flag("--output", "Comparison folder (default runs/compare); rerun with the same options to resume", Alias = "-o")]
    [FlagRequired("give the comparison folder.")]
    public string Output { get; set; } = "runs/compare";

    /// <summary>Epochs of every run (default: the map's).</summary>
    [Flag("--epochs", "Epochs per run (default: the map's)", Alias = "-e")]
    [FlagRange(1, 100000)]
    public int? Epochs { get; set; }

    /// <summary>Training subset of every run (default: the map's grid's).</summary>
    [Flag("--train-subset", "Train on a fixed random subset (default: the map's grid's)")]
    [FlagRange(1, int.MaxValue)]
    public int? TrainSubset { get; set; }

    /// <summary>Folder with the data files (default: the Debian Fashion-MNIST folder).</summary>
    [Flag("--data-path", "Folder with the data files")]
    public string? DataPath { get; set; }

    /// <summary>α on a batch-size change for every run (default: the run verb's, Keep).</summary>
    [Flag("--lr-rule", "α on a batch change: Keep (default), Linear, SquareRoot")]
    public LearningRateRule? LearningRateRule { get; set; }
}
