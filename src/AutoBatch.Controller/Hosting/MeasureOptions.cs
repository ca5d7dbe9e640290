using System.ComponentModel.DataAnnotations;
using AutoBatch.Engine.Data;
using AutoBatch.Engine.Probe;

namespace AutoBatch.Controller.Hosting;

/// <summary>Options of the <c>measure</c> verb (section <c>Measure</c>; command-line flags override).</summary>
public sealed class MeasureOptions
{
    /// <summary>Configuration section.</summary>
    public const string SectionName = "Measure";

    /// <summary>Batch size drawn when neither <see cref="Indices"/> nor <see cref="BatchSize"/> is given.</summary>
    public const int DefaultBatchSize = 128;

    /// <summary>Model name (see ModelSpec.Parse); default <c>mlp</c> (784-500-500-10). Must match the weights.</summary>
    [Required]
    public string Model { get; set; } = "mlp";

    /// <summary>Data set kind; default Fashion-MNIST.</summary>
    public DataSetKind Data { get; set; } = DataSetKind.FashionMnist;

    /// <summary>Folder with the data files; default the Debian dataset-fashion-mnist folder for Fashion-MNIST.</summary>
    public string? DataPath { get; set; }

    /// <summary>Safetensors weights file (see docs/WEIGHTS.md); default none: the initial weights drawn from <see cref="Seed"/>.</summary>
    public string? Weights { get; set; }

    /// <summary>The batch as comma-separated training-set indices (0-based, distinct), e.g. <c>1,5,9</c>; default none.</summary>
    public string? Indices { get; set; }

    /// <summary>
    /// Without <see cref="Indices"/>: draw this many distinct training indices from <see cref="Seed"/> (default 128).
    /// With them it may be omitted; if given it must equal their count.
    /// </summary>
    [Range(1, 1 << 20, ErrorMessage = "--batch-size: must be in [{1}, {2}].")]
    public int? BatchSize { get; set; }

    /// <summary>Seed of the drawn batch, of the augmentation and, without <see cref="Weights"/>, of the initial weights (default 1).</summary>
    public long Seed { get; set; } = 1;

    /// <summary>Learning rate α in l = (α / B) · sqrt(Tr F̃) (default 0.05).</summary>
    [Range(1e-12, 1e6, ErrorMessage = "--lr: the learning rate must be in [{1}, {2}].")]
    public double LearningRate { get; set; } = 0.05;

    /// <summary>BatchNorm statistics during the measurement (default <see cref="BatchNormMode.Train"/>).</summary>
    public BatchNormMode BnMode { get; set; } = BatchNormMode.Train;

    /// <summary>Per-layer Gram path (default <see cref="Engine.Probe.GramMode.Auto"/>).</summary>
    public GramMode GramMode { get; set; } = GramMode.Auto;

    /// <summary>Rank tolerance relative to σ_max, in (0, 1); default none: B · ε_float32 (docs/DESIGN.md).</summary>
    public double? RankTolerance { get; set; }

    /// <summary>The rank rule of the reported rank and c (default tolerance); the other rule's are reported beside them.</summary>
    public RankRule RankRule { get; set; } = RankRule.Tolerance;

    /// <summary>libtorch intra-op threads (default 1, see EngineRuntime.DefaultThreads). OpenBLAS always gets 1.</summary>
    [Range(1, 1024, ErrorMessage = "--threads: must be in [{1}, {2}].")]
    public int Threads { get; set; } = AutoBatch.Engine.Runtime.EngineRuntime.DefaultThreads;

    /// <summary>Where the tensors live: <c>cpu</c> (default) or <c>cuda</c> / <c>cuda:N</c> (docs/TORCHSHARP.md, 'Devices').</summary>
    public string Device { get; set; } = AutoBatch.Engine.Runtime.EngineDevices.Cpu;

    /// <summary>Apply the data set's training augmentation to the batch, drawn from <see cref="Seed"/> (default off: plain normalised images).</summary>
    public bool Augment { get; set; }

    /// <summary>Also print F̃ itself, B rows of B float64 entries (default off: the spectrum and the measures only).</summary>
    public bool IncludeGram { get; set; }
}
