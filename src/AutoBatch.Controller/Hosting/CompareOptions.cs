using System.ComponentModel.DataAnnotations;
using AutoBatch.Controller.Policies;

namespace AutoBatch.Controller.Hosting;

/// <summary>
/// Options of the <c>compare</c> verb (section <c>Compare</c>; command-line flags override): every schedule x seed as a
/// child <c>run</c>, several at once, resumable, then the report (docs/DESIGN.md, 'Comparison').
/// </summary>
public sealed class CompareOptions
{
    /// <summary>Configuration section.</summary>
    public const string SectionName = "Compare";

    /// <summary>Default schedules: the paper's and ours (best fixed beacon, five-stage -∅ and -MS, noise scale, closed loop).</summary>
    public const string DefaultSchedules = "best,s32-to-512,s32-to-512-MS,s16-to-64-MS,noise-scale,closed-loop";

    /// <summary>Beacon map the runs are steered by and compared with (default <see cref="RunOptions.DefaultMapPath"/>).</summary>
    [Required(ErrorMessage = "--map: give the beacon map.")]
    public string Map { get; set; } = RunOptions.DefaultMapPath();

    /// <summary>Comma-separated schedules (default <see cref="DefaultSchedules"/>).</summary>
    [Required(ErrorMessage = "--schedules: give at least one schedule.")]
    public string Schedules { get; set; } = DefaultSchedules;

    /// <summary>Comma-separated seeds (default 1,2,3).</summary>
    [Required(ErrorMessage = "--seeds: give at least one seed.")]
    public string Seeds { get; set; } = "1,2,3";

    /// <summary>Runs at once (default 2).</summary>
    [Range(1, 1024, ErrorMessage = "--parallel: must be between 1 and 1024.")]
    public int Parallel { get; set; } = 2;

    /// <summary>libtorch threads per run (default 1).</summary>
    [Range(1, 1024, ErrorMessage = "--threads-per-run: must be between 1 and 1024.")]
    public int ThreadsPerRun { get; set; } = 1;

    /// <summary>Where every run's tensors live: <c>cpu</c> (default) or <c>cuda</c> / <c>cuda:N</c> (docs/TORCHSHARP.md, 'Devices').</summary>
    public string Device { get; set; } = AutoBatch.Engine.Runtime.EngineDevices.Cpu;

    /// <summary>Comparison folder (default runs/compare); rerun with the same options to resume.</summary>
    [Required(ErrorMessage = "--output: give the comparison folder.")]
    public string Output { get; set; } = "runs/compare";

    /// <summary>Epochs of every run (default: the map's).</summary>
    [Range(1, 100000, ErrorMessage = "--epochs: must be between 1 and 100000.")]
    public int? Epochs { get; set; }

    /// <summary>Training subset of every run (default: the map's grid's).</summary>
    [Range(1, int.MaxValue, ErrorMessage = "--train-subset: must be >= 1.")]
    public int? TrainSubset { get; set; }

    /// <summary>Folder with the data files (default: the Debian Fashion-MNIST folder).</summary>
    public string? DataPath { get; set; }

    /// <summary>α on a batch-size change for every run (default: the run verb's, Keep).</summary>
    public LearningRateRule? LearningRateRule { get; set; }
}
