using System.ComponentModel.DataAnnotations;
using AutoBatch.Controller.Hosting;
using AutoBatch.Engine.Data;
using AutoBatch.Engine.Probe;

namespace AutoBatch.Controller.Verbs.Beacons;

/// <summary>Options of the <c>beacons</c> verb (section <c>Beacons</c>; command-line flags override).</summary>
/// <remarks>
/// The single declaration of the verb's options, as for every verb (docs/DESIGN.md, 'Adding an option'): flags, help, ranges
/// and defaults are read from here for the command line and its configuration keys.
/// </remarks>
public sealed class BeaconsOptions
{
    /// <summary>Configuration section.</summary>
    public const string SectionName = "Beacons";

    /// <summary>Model name (default mlp).</summary>
    [Flag("--model", "Model (default mlp)", Alias = "-m")]
    [Required]
    public string Model { get; set; } = "mlp";

    /// <summary>Data set (default Fashion-MNIST).</summary>
    [Flag("--data", "Data set (default FashionMnist)")]
    public DataSetKind Data { get; set; } = DataSetKind.FashionMnist;

    /// <summary>Data folder (default: the Debian Fashion-MNIST folder).</summary>
    [Flag("--data-path", "Folder with the data files")]
    public string? DataPath { get; set; }

    /// <summary>Comma-separated batch sizes (default the paper's 8..512).</summary>
    [Flag("--batch-sizes", "Comma-separated batch sizes (default 8,16,32,64,128,256,512)")]
    [Required]
    public string BatchSizes { get; set; } = "8,16,32,64,128,256,512";

    /// <summary>Comma-separated learning rates (default the paper's 0.025..0.4).</summary>
    [Flag("--learning-rates", "Comma-separated learning rates (default 0.025,0.05,0.1,0.2,0.4)")]
    [Required]
    public string LearningRates { get; set; } = "0.025,0.05,0.1,0.2,0.4";

    /// <summary>Comma-separated seeds (default 1,2).</summary>
    [Flag("--seeds", "Comma-separated seeds (default 1,2)")]
    [Required]
    public string Seeds { get; set; } = "1,2";

    /// <summary>Epochs per run (default 15).</summary>
    [Flag("--epochs", "Epochs per run (default 15)", Alias = "-e")]
    [FlagRange(1, 100000)]
    public int Epochs { get; set; } = 15;

    /// <summary>Probe interval (default 50).</summary>
    [Flag("--probe-interval", "Measure every N iterations (default 50)")]
    [FlagRange(1, 1000000)]
    public int ProbeInterval { get; set; } = 50;

    /// <summary>The probe's rank rule (default tolerance).</summary>
    [Flag("--rank-rule", "Which eigenvalues of F̃ count in c_k: Tolerance (default) or Reference")]
    public RankRule RankRule { get; set; } = RankRule.Tolerance;

    /// <summary>Apply both rank rules at every probe, so that the map can be built under either (default false).</summary>
    [Flag("--both-rank-rules", "Apply both rank rules at every probe, so that `merge --rank-rule` can build the map under either")]
    public bool BothRankRules { get; set; }

    /// <summary>Train on a fixed random subset of this many images (default: all).</summary>
    [Flag("--train-subset", "Train on a fixed random subset of N images (default: all)")]
    [FlagRange(1, int.MaxValue)]
    public int? TrainSubset { get; set; }

    /// <summary>libtorch threads per run (default 1).</summary>
    [Flag("--threads-per-run", "libtorch threads per run (default 1)")]
    [FlagRange(1, 1024)]
    public int ThreadsPerRun { get; set; } = 1;

    /// <summary>Where every run's tensors live: <c>cpu</c> (default) or <c>cuda</c> / <c>cuda:N</c> (docs/TORCHSHARP.md, 'Devices').</summary>
    [Flag("--device", "Device of every run: cpu or cuda[:N] (cuda needs the TorchSharp engine and a CUDA LibTorch)")]
    public string Device { get; set; } = AutoBatch.Engine.Runtime.EngineDevices.Cpu;

    /// <summary>Runs at once (default: cores / threads per run, at least 1).</summary>
    [Flag("--parallel", "Runs at once (default: cores / threads per run)")]
    [FlagRange(1, 1024)]
    public int? Parallel { get; set; }

    /// <summary>Grid folder: grid.json, runs/, work/ (default runs/beacons).</summary>
    [Flag("--output", "Grid folder (default runs/beacons); rerun with the same options to resume", Alias = "-o")]
    [Required]
    public string Output { get; set; } = "runs/beacons";

    /// <summary>Run only shard i/n (default: all); see also ShardCount.</summary>
    [Flag("--shard", "Run only shard i/n (array jobs); merge the shards with `merge`")]
    public string? Shard { get; set; }

    /// <summary>Take the shard index from SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX, with this many shards.</summary>
    [Flag("--shard-count", "Shard count, index from SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX")]
    [FlagRange(1, 100000)]
    public int? ShardCount { get; set; }

    /// <summary>Where to write the map when the grid is complete (default: &lt;output&gt;/map.json).</summary>
    [Flag("--map", "Map file to write when the grid is complete (default <output>/map.json)")]
    public string? Map { get; set; }
}
