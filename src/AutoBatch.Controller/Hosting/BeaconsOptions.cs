using System.ComponentModel.DataAnnotations;
using AutoBatch.Engine.Data;
using AutoBatch.Engine.Probe;

namespace AutoBatch.Controller.Hosting;

/// <summary>Options of the <c>beacons</c> verb (section <c>Beacons</c>; command-line flags override).</summary>
public sealed class BeaconsOptions
{
    /// <summary>Configuration section.</summary>
    public const string SectionName = "Beacons";

    /// <summary>Model name (default mlp).</summary>
    [Required]
    public string Model { get; set; } = "mlp";

    /// <summary>Data set (default Fashion-MNIST).</summary>
    public DataSetKind Data { get; set; } = DataSetKind.FashionMnist;

    /// <summary>Data folder (default: the Debian Fashion-MNIST folder).</summary>
    public string? DataPath { get; set; }

    /// <summary>Comma-separated batch sizes (default the paper's 8..512).</summary>
    [Required]
    public string BatchSizes { get; set; } = "8,16,32,64,128,256,512";

    /// <summary>Comma-separated learning rates (default the paper's 0.025..0.4).</summary>
    [Required]
    public string LearningRates { get; set; } = "0.025,0.05,0.1,0.2,0.4";

    /// <summary>Comma-separated seeds (default 1,2).</summary>
    [Required]
    public string Seeds { get; set; } = "1,2";

    /// <summary>Epochs per run (default 15).</summary>
    [Range(1, 100000, ErrorMessage = "--epochs: must be in [{1}, {2}].")]
    public int Epochs { get; set; } = 15;

    /// <summary>Probe interval (default 50).</summary>
    [Range(1, 1000000, ErrorMessage = "--probe-interval: must be in [{1}, {2}].")]
    public int ProbeInterval { get; set; } = 50;

    /// <summary>The probe's rank rule (default tolerance).</summary>
    public RankRule RankRule { get; set; } = RankRule.Tolerance;

    /// <summary>Apply both rank rules at every probe, so that the map can be built under either (default false).</summary>
    public bool BothRankRules { get; set; }

    /// <summary>Train on a fixed random subset of this many images (default: all).</summary>
    [Range(1, int.MaxValue, ErrorMessage = "--train-subset: must be in [{1}, {2}].")]
    public int? TrainSubset { get; set; }

    /// <summary>libtorch threads per run (default 1).</summary>
    [Range(1, 1024, ErrorMessage = "--threads-per-run: must be in [{1}, {2}].")]
    public int ThreadsPerRun { get; set; } = 1;

    /// <summary>Where every run's tensors live: <c>cpu</c> (default) or <c>cuda</c> / <c>cuda:N</c> (docs/TORCHSHARP.md, 'Devices').</summary>
    public string Device { get; set; } = AutoBatch.Engine.Runtime.EngineDevices.Cpu;

    /// <summary>Runs at once (default: cores / threads per run, at least 1).</summary>
    [Range(1, 1024, ErrorMessage = "--parallel: must be in [{1}, {2}].")]
    public int? Parallel { get; set; }

    /// <summary>Grid folder: grid.json, runs/, work/ (default runs/beacons).</summary>
    [Required]
    public string Output { get; set; } = "runs/beacons";

    /// <summary>Run only shard i/n (default: all); see also ShardCount.</summary>
    public string? Shard { get; set; }

    /// <summary>Take the shard index from SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX, with this many shards.</summary>
    [Range(1, 100000, ErrorMessage = "--shard-count: must be in [{1}, {2}].")]
    public int? ShardCount { get; set; }

    /// <summary>Where to write the map when the grid is complete (default: &lt;output&gt;/map.json).</summary>
    public string? Map { get; set; }
}
